CREATE TABLE "employee" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "name" varchar(100) NOT NULL,
  "hired" date NOT NULL
);
