CREATE TABLE "department_employee" (
  "department_id" integer NOT NULL,
  "employee_id" integer NOT NULL,
  "role" varchar(30),
  CONSTRAINT "pk_department_employee" PRIMARY KEY ("department_id", "employee_id"),
  CONSTRAINT "fk_department_employee_department_id_department" FOREIGN KEY ("department_id") REFERENCES "department" ("id"),
  CONSTRAINT "fk_department_employee_employee_id_employee" FOREIGN KEY ("employee_id") REFERENCES "employee" ("id") ON DELETE CASCADE
);

CREATE UNIQUE INDEX "deparment_employee_idx" ON "department_employee" ("department_id", "employee_id");
