#!/usr/bin/env bash
# Makes a PostgreSQL and a MariaDB server reachable on loopback for the test
# suite, installing them from Debian packages when absent, and prints the
# export lines for ORM_TEST_POSTGRES_DSN and ORM_TEST_MYSQL_DSN.
#
#   eval "$(scripts/dbservers.sh)"
#
# Servers already reachable through the DSNs in the environment are used as
# they are. Progress goes to stderr, the exports to stdout.
set -euo pipefail

log() { echo "dbservers: $*" >&2; }

PG_DSN=${ORM_TEST_POSTGRES_DSN:-postgres://orm:orm@127.0.0.1:5432/orm?sslmode=disable}
MY_DSN=${ORM_TEST_MYSQL_DSN:-orm:orm@tcp(127.0.0.1:3306)/orm?parseTime=true&loc=UTC}

pg_up() { command -v psql >/dev/null && psql "$PG_DSN" -qtAc 'SELECT 1' >/dev/null 2>&1; }
my_up() { command -v mysqladmin >/dev/null && mysqladmin --protocol=tcp -h127.0.0.1 -P3306 -uorm -porm ping >/dev/null 2>&1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need=()
if ! pg_up && ! command -v pg_ctlcluster >/dev/null; then need+=(postgresql); fi
if ! my_up && ! command -v mysqld_safe >/dev/null; then need+=(mariadb-server); fi
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]} (apt-get)"
  as_root apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
fi

if ! pg_up; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    ver=$(ls /etc/postgresql | sort -n | tail -n 1)
    log "starting PostgreSQL $ver"
    as_root pg_ctlcluster "$ver" main start >&2 || true
    for _ in $(seq 1 60); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
    pg_isready -q -h 127.0.0.1 -p 5432 || { log "PostgreSQL did not start"; exit 1; }
  fi
  as_root su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='orm'\"" | grep -q 1 ||
    as_root su postgres -c "psql -qc \"CREATE ROLE orm LOGIN SUPERUSER PASSWORD 'orm'\"" >&2
  as_root su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='orm'\"" | grep -q 1 ||
    as_root su postgres -c "createdb -O orm orm" >&2
  pg_up || { log "PostgreSQL is running but orm@127.0.0.1 cannot log in"; exit 1; }
fi

if ! my_up; then
  if ! mysqladmin ping >/dev/null 2>&1; then
    log "starting MariaDB"
    as_root mkdir -p /run/mysqld
    as_root chown mysql:mysql /run/mysqld 2>/dev/null || true
    (as_root mysqld_safe --user=mysql --bind-address=127.0.0.1 --max-connections=500 >/dev/null 2>&1 &)
    for _ in $(seq 1 120); do as_root mysqladmin ping >/dev/null 2>&1 && break; sleep 0.5; done
    as_root mysqladmin ping >/dev/null 2>&1 || { log "MariaDB did not start"; exit 1; }
  fi
  as_root mysql -uroot -e "CREATE DATABASE IF NOT EXISTS orm;
    CREATE USER IF NOT EXISTS 'orm'@'127.0.0.1' IDENTIFIED BY 'orm';
    CREATE USER IF NOT EXISTS 'orm'@'localhost' IDENTIFIED BY 'orm';
    GRANT ALL ON *.* TO 'orm'@'127.0.0.1' WITH GRANT OPTION;
    GRANT ALL ON *.* TO 'orm'@'localhost' WITH GRANT OPTION;" >&2
  my_up || { log "MariaDB is running but orm@127.0.0.1 cannot log in"; exit 1; }
fi

printf 'export ORM_TEST_POSTGRES_DSN=%q\n' "$PG_DSN"
printf 'export ORM_TEST_MYSQL_DSN=%q\n' "$MY_DSN"
