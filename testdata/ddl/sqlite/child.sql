CREATE TABLE "child" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "parent_a" integer NOT NULL,
  "parent_b" integer NOT NULL,
  CONSTRAINT "fk_child_parent" FOREIGN KEY ("parent_a", "parent_b") REFERENCES "parent" ("a", "b") ON DELETE CASCADE
);
