CREATE TABLE `child` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `parent_a` bigint NOT NULL,
  `parent_b` bigint NOT NULL,
  PRIMARY KEY (`id`),
  CONSTRAINT `fk_child_parent` FOREIGN KEY (`parent_a`, `parent_b`) REFERENCES `parent` (`a`, `b`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
