CREATE TABLE "test" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "name" varchar(50) NOT NULL,
  "status" varchar(10) NOT NULL DEFAULT 'new',
  "note" varchar(50) NOT NULL DEFAULT 'it''s',
  "active" boolean NOT NULL DEFAULT true,
  "score" decimal(10,2) NOT NULL DEFAULT 0,
  "seen" datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "created_at" datetime NOT NULL,
  "updated_at" datetime NOT NULL
);
