CREATE TABLE `child` (
  `id` int NOT NULL AUTO_INCREMENT,
  `tenant` int NOT NULL,
  `parent_code` varchar(20),
  `qty` int NOT NULL DEFAULT 1,
  `price` decimal(8,2) NOT NULL,
  `note` varchar(30) COMMENT 'back\\slash',
  PRIMARY KEY (`id`),
  CONSTRAINT `child_qty_positive` CHECK (qty > 0),
  CHECK (price >= 0),
  CONSTRAINT `child_parent_fk` FOREIGN KEY (`tenant`, `parent_code`) REFERENCES `parent` (`tenant`, `code`) ON DELETE CASCADE ON UPDATE RESTRICT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='children';
CREATE INDEX `child_parent_idx` ON `child` (`tenant`, `parent_code`);

-- ifNotExists
CREATE TABLE IF NOT EXISTS `child` (
  `id` int NOT NULL AUTO_INCREMENT,
  `tenant` int NOT NULL,
  `parent_code` varchar(20),
  `qty` int NOT NULL DEFAULT 1,
  `price` decimal(8,2) NOT NULL,
  `note` varchar(30) COMMENT 'back\\slash',
  PRIMARY KEY (`id`),
  CONSTRAINT `child_qty_positive` CHECK (qty > 0),
  CHECK (price >= 0),
  CONSTRAINT `child_parent_fk` FOREIGN KEY (`tenant`, `parent_code`) REFERENCES `parent` (`tenant`, `code`) ON DELETE CASCADE ON UPDATE RESTRICT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='children';
CREATE INDEX IF NOT EXISTS `child_parent_idx` ON `child` (`tenant`, `parent_code`);

-- AddForeignKey
ALTER TABLE `child` ADD CONSTRAINT `child_parent_fk` FOREIGN KEY (`tenant`, `parent_code`) REFERENCES `parent` (`tenant`, `code`) ON DELETE CASCADE ON UPDATE RESTRICT;
