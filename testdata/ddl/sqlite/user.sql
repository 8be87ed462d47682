CREATE TABLE "user" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "user_id" integer NOT NULL,
  "name" varchar(50) NOT NULL,
  "email" varchar(255) NOT NULL,
  "pref_name" varchar(40) NOT NULL,
  "nickname" varchar(30),
  "age" integer NOT NULL DEFAULT 0,
  "code" text NOT NULL,
  "home_street" varchar(100) NOT NULL,
  "home_city" varchar(50) NOT NULL,
  CONSTRAINT "uq_user_user_id" UNIQUE ("user_id"),
  CONSTRAINT "uq_user_email" UNIQUE ("email"),
  CONSTRAINT "ck_user_name_len" CHECK (length(name) > 0),
  CONSTRAINT "ck_user_age" CHECK (age >= 0)
);

CREATE INDEX "ix_user_name" ON "user" ("name");

CREATE INDEX "ix_user_email" ON "user" ("email");

CREATE INDEX "ix_user_home_city" ON "user" ("home_city");
