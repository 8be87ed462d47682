CREATE TABLE "mytable" (
  "id" bigint NOT NULL,
  "version_id" bigint NOT NULL,
  "col1" varchar(20) NOT NULL,
  "col2" varchar(20) NOT NULL,
  "col3" varchar(20) NOT NULL,
  "col4" varchar(20) NOT NULL,
  "col5" bigint NOT NULL,
  "col6" bigint NOT NULL,
  "code" varchar(20) NOT NULL,
  "slug" varchar(20) NOT NULL,
  CONSTRAINT "mytable_pk" PRIMARY KEY ("id", "version_id"),
  CONSTRAINT "uix_1" UNIQUE ("col2", "col3"),
  CONSTRAINT "uq_mytable_code" UNIQUE ("code"),
  CONSTRAINT "ck_mytable_cols" CHECK (col1 <> col2)
);

CREATE INDEX "idx_col12" ON "mytable" ("col1", "col2");

CREATE UNIQUE INDEX "idx_col34" ON "mytable" ("col3", "col4");

CREATE INDEX "idx_prio" ON "mytable" ("col6" DESC, "col5");

CREATE INDEX "ix_mytable_code" ON "mytable" ("code");

CREATE UNIQUE INDEX "uix_mytable_slug" ON "mytable" ("slug");

COMMENT ON TABLE "mytable" IS 'composite keys and indexes';
