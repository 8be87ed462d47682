CREATE TABLE "child" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "tenant" integer NOT NULL,
  "parent_code" varchar(20),
  "qty" integer NOT NULL DEFAULT 1,
  "price" decimal(8,2) NOT NULL,
  "note" varchar(30),
  CONSTRAINT "child_qty_positive" CHECK (qty > 0),
  CHECK (price >= 0),
  CONSTRAINT "child_parent_fk" FOREIGN KEY ("tenant", "parent_code") REFERENCES "parent" ("tenant", "code") ON DELETE CASCADE ON UPDATE RESTRICT
);
CREATE INDEX "child_parent_idx" ON "child" ("tenant", "parent_code");

-- ifNotExists
CREATE TABLE IF NOT EXISTS "child" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "tenant" integer NOT NULL,
  "parent_code" varchar(20),
  "qty" integer NOT NULL DEFAULT 1,
  "price" decimal(8,2) NOT NULL,
  "note" varchar(30),
  CONSTRAINT "child_qty_positive" CHECK (qty > 0),
  CHECK (price >= 0),
  CONSTRAINT "child_parent_fk" FOREIGN KEY ("tenant", "parent_code") REFERENCES "parent" ("tenant", "code") ON DELETE CASCADE ON UPDATE RESTRICT
);
CREATE INDEX IF NOT EXISTS "child_parent_idx" ON "child" ("tenant", "parent_code");

-- AddForeignKey
-- error: add foreign key "child_parent_fk" to table "child": sqlite: cannot add a foreign key to an existing table without rebuilding it (ALTER TABLE has no ADD CONSTRAINT)
