-- Salt's MySQL returner schema (salt/returners/mysql.py), for the `mysql`
-- returner, master_job_cache: mysql and event_return: mysql.
-- Same tables, columns and keys as Salt, so tools built on Salt's tables work.
-- Safe to run again: nothing is dropped. Load it into the database named by
-- mysql.db, e.g.:  mariadb -u root salt < libs/returners/schema/mysql.sql

-- One row per job: the publish load as JSON.
CREATE TABLE IF NOT EXISTS `jids` (
  `jid` varchar(255) NOT NULL,
  `load` mediumtext NOT NULL,
  UNIQUE KEY `jid` (`jid`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

-- One row per minion return. `return` is JSON of the return value,
-- `success` '1' or '0', `full_ret` JSON of the whole return load.
CREATE TABLE IF NOT EXISTS `salt_returns` (
  `fun` varchar(50) NOT NULL,
  `jid` varchar(255) NOT NULL,
  `return` mediumtext NOT NULL,
  `id` varchar(255) NOT NULL,
  `success` varchar(10) NOT NULL,
  `full_ret` mediumtext NOT NULL,
  `alter_time` TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  KEY `id` (`id`),
  KEY `jid` (`jid`),
  KEY `fun` (`fun`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

-- One row per master event (event_return), `data` as JSON.
CREATE TABLE IF NOT EXISTS `salt_events` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `tag` varchar(255) NOT NULL,
  `data` mediumtext NOT NULL,
  `alter_time` TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  `master_id` varchar(255) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `tag` (`tag`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;
