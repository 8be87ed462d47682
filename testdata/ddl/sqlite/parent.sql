CREATE TABLE "parent" (
  "a" integer NOT NULL,
  "b" integer NOT NULL,
  "name" varchar(255) NOT NULL,
  CONSTRAINT "pk_parent" PRIMARY KEY ("a", "b")
);
