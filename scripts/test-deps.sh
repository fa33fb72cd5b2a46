#!/usr/bin/env bash
# Installs what the test suite needs from Debian packages when it is missing.
# The database tests start their own MariaDB and Redis on free ports with
# temporary data dirs; they need the server binaries only.
set -euo pipefail
need=()
command -v mariadbd >/dev/null 2>&1 || command -v mysqld >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || need+=(mariadb-server)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${need[*]} for the test suite" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "warning: ${need[*]} missing and cannot be installed (need root and apt-get); database tests will be skipped" >&2
  fi
fi
