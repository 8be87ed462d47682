CREATE TABLE "parent" (
  "tenant" integer NOT NULL,
  "code" varchar(20) NOT NULL,
  "name" varchar(100) NOT NULL,
  "email" varchar(200),
  CONSTRAINT "parent_pkey" PRIMARY KEY ("tenant", "code"),
  CONSTRAINT "parent_tenant_name_key" UNIQUE ("tenant", "name"),
  UNIQUE ("email")
);
CREATE INDEX "parent_name_desc" ON "parent" ("name" DESC, "tenant");
CREATE UNIQUE INDEX "parent_email_uq" ON "parent" ("tenant", "email");
CREATE INDEX "idx_parent_code" ON "parent" ("code");

-- ifNotExists
CREATE TABLE IF NOT EXISTS "parent" (
  "tenant" integer NOT NULL,
  "code" varchar(20) NOT NULL,
  "name" varchar(100) NOT NULL,
  "email" varchar(200),
  CONSTRAINT "parent_pkey" PRIMARY KEY ("tenant", "code"),
  CONSTRAINT "parent_tenant_name_key" UNIQUE ("tenant", "name"),
  UNIQUE ("email")
);
CREATE INDEX IF NOT EXISTS "parent_name_desc" ON "parent" ("name" DESC, "tenant");
CREATE UNIQUE INDEX IF NOT EXISTS "parent_email_uq" ON "parent" ("tenant", "email");
CREATE INDEX IF NOT EXISTS "idx_parent_code" ON "parent" ("code");
