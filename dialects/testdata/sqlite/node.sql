CREATE TABLE "node" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "parent_id" integer,
  "label" varchar(40) NOT NULL DEFAULT 'a "quoted" label',
  CONSTRAINT "node_parent_fk" FOREIGN KEY ("parent_id") REFERENCES "node" ("id") ON DELETE SET NULL
);

-- ifNotExists
CREATE TABLE IF NOT EXISTS "node" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "parent_id" integer,
  "label" varchar(40) NOT NULL DEFAULT 'a "quoted" label',
  CONSTRAINT "node_parent_fk" FOREIGN KEY ("parent_id") REFERENCES "node" ("id") ON DELETE SET NULL
);

-- AddForeignKey
-- error: add foreign key "node_parent_fk" to table "node": sqlite: cannot add a foreign key to an existing table without rebuilding it (ALTER TABLE has no ADD CONSTRAINT)
