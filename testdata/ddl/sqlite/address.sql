CREATE TABLE "address" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "user_id" integer NOT NULL,
  "owner_id" integer,
  "street" varchar(100) NOT NULL,
  CONSTRAINT "fk_address_user_id_user" FOREIGN KEY ("user_id") REFERENCES "user" ("user_id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "fk_address_owner_id_user" FOREIGN KEY ("owner_id") REFERENCES "user" ("id") ON DELETE SET NULL
);
