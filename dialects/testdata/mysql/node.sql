CREATE TABLE `node` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `parent_id` bigint,
  `label` varchar(40) NOT NULL DEFAULT 'a "quoted" label',
  PRIMARY KEY (`id`),
  CONSTRAINT `node_parent_fk` FOREIGN KEY (`parent_id`) REFERENCES `node` (`id`) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- ifNotExists
CREATE TABLE IF NOT EXISTS `node` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `parent_id` bigint,
  `label` varchar(40) NOT NULL DEFAULT 'a "quoted" label',
  PRIMARY KEY (`id`),
  CONSTRAINT `node_parent_fk` FOREIGN KEY (`parent_id`) REFERENCES `node` (`id`) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- AddForeignKey
ALTER TABLE `node` ADD CONSTRAINT `node_parent_fk` FOREIGN KEY (`parent_id`) REFERENCES `node` (`id`) ON DELETE SET NULL;
