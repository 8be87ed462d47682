CREATE TABLE "department" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "name" varchar(100) NOT NULL,
  CONSTRAINT "uq_department_name" UNIQUE ("name")
);
