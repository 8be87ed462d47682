CREATE TABLE `test` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `name` varchar(50) NOT NULL,
  `status` varchar(10) NOT NULL DEFAULT 'new',
  `note` varchar(50) NOT NULL DEFAULT 'it''s',
  `active` tinyint(1) NOT NULL DEFAULT true,
  `score` decimal(10,2) NOT NULL DEFAULT 0,
  `seen` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  `created_at` datetime(6) NOT NULL,
  `updated_at` datetime(6) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
