CREATE TABLE "parent" (
  "a" bigint NOT NULL,
  "b" bigint NOT NULL,
  "name" varchar(255) NOT NULL,
  CONSTRAINT "pk_parent" PRIMARY KEY ("a", "b")
);
