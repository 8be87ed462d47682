CREATE TABLE `parent` (
  `a` bigint NOT NULL,
  `b` bigint NOT NULL,
  `name` varchar(255) NOT NULL,
  PRIMARY KEY (`a`, `b`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
