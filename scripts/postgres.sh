#!/usr/bin/env bash
# A throwaway PostgreSQL server for the PostgreSQL event-store tests: Debian's postgresql package (installed with
# apt-get when no initdb is found), a new cluster in a temporary folder, trust authentication from the loopback address
# only, listening on 127.0.0.1 on a free port. On success it exports
#   EXANIA_TEST_POSTGRES=Host=127.0.0.1;Port=PORT;Username=postgres;Database=postgres
#   EXANIA_REQUIRE_POSTGRES=1  (the PostgreSQL tests then fail, rather than skip, when they cannot connect)
# and `exania_postgres_stop` stops the server and removes the folder.
#
# Two ways to use it:
#   source scripts/postgres.sh; trap exania_postgres_stop EXIT; exania_postgres_start   (what scripts/test.sh does)
#   bash scripts/postgres.sh dotnet test tests/Exania.Store.Tests   (runs one command with the server up, then stops it)
#
# When the package cannot be installed it says why and exports neither variable, so the PostgreSQL tests are skipped
# (with that reason in their output). When PostgreSQL is installed but the server does not start, that is a fault of
# this script or of the machine: it prints the server's log and exports only EXANIA_REQUIRE_POSTGRES=1, so the tests
# fail instead of skipping silently.

exania_postgres_dir=""
exania_postgres_bin=""
exania_postgres_user=""

# Runs a PostgreSQL program as the cluster's owner: initdb and the server refuse to run as root.
exania_postgres_run() {
  if [ -n "$exania_postgres_user" ]; then
    runuser -u "$exania_postgres_user" -- "$@"
  else
    "$@"
  fi
}

exania_postgres_stop() {
  [ -n "$exania_postgres_dir" ] || return 0
  if [ -f "$exania_postgres_dir/data/postmaster.pid" ]; then
    exania_postgres_run "$exania_postgres_bin/pg_ctl" -D "$exania_postgres_dir/data" -m fast -w -t 60 stop >/dev/null ||
      echo "postgres.sh: could not stop the test server in $exania_postgres_dir" >&2
  fi
  rm -rf "$exania_postgres_dir"
  exania_postgres_dir=""
}

# The newest installed server's bin folder (Debian keeps them in /usr/lib/postgresql/VERSION/bin, off the PATH).
exania_postgres_find_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
  done
  dir=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
  [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
  return 1
}

exania_postgres_install() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "postgres.sh: PostgreSQL is not installed and this is not root (no sudo either)" >&2; return 1; }
    sudo="sudo"
  fi
  echo "== apt-get install postgresql"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql
}

# True when something accepts TCP connections on 127.0.0.1:$1.
exania_postgres_port_taken() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

exania_postgres_start() {
  if ! exania_postgres_bin=$(exania_postgres_find_bin); then
    if ! exania_postgres_install || ! exania_postgres_bin=$(exania_postgres_find_bin); then
      echo "postgres.sh: PostgreSQL could not be installed (see above); the PostgreSQL store tests will be skipped" >&2
      return 1
    fi
  fi
  exania_postgres_user=""
  if [ "$(id -u)" -eq 0 ]; then
    exania_postgres_user=postgres
    if ! id -u postgres >/dev/null 2>&1; then
      echo "postgres.sh: running as root and there is no 'postgres' user to own the cluster" >&2
      export EXANIA_REQUIRE_POSTGRES=1
      return 1
    fi
  fi

  local port=55432
  while exania_postgres_port_taken "$port"; do
    port=$((port + 1))
    [ "$port" -lt 55532 ] || { echo "postgres.sh: no free port in 55432-55531" >&2; export EXANIA_REQUIRE_POSTGRES=1; return 1; }
  done

  exania_postgres_dir=$(mktemp -d "${TMPDIR:-/tmp}/exania-postgres.XXXXXX") || return 1
  [ -z "$exania_postgres_user" ] || chown "$exania_postgres_user": "$exania_postgres_dir"
  local data="$exania_postgres_dir/data"
  echo "== PostgreSQL ($("$exania_postgres_bin/postgres" --version)) on 127.0.0.1:$port, cluster in $exania_postgres_dir"
  if ! exania_postgres_run "$exania_postgres_bin/initdb" -D "$data" -U postgres -E UTF8 --locale=C --auth=trust --no-sync >"$exania_postgres_dir/initdb.log" 2>&1; then
    echo "postgres.sh: initdb failed:" >&2
    cat "$exania_postgres_dir/initdb.log" >&2
    exania_postgres_stop
    export EXANIA_REQUIRE_POSTGRES=1
    return 1
  fi
  # Loopback only: no other address is listened on, and only the loopback address and the cluster's own socket
  # folder are trusted. fsync is off because the cluster is thrown away after the run.
  exania_postgres_run sh -c "cat >'$data/pg_hba.conf'" <<'EOF'
local all all trust
host  all all 127.0.0.1/32 trust
EOF
  exania_postgres_run sh -c "cat >>'$data/postgresql.conf'" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$exania_postgres_dir'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  if ! exania_postgres_run "$exania_postgres_bin/pg_ctl" -D "$data" -l "$exania_postgres_dir/server.log" -w -t 60 start >/dev/null; then
    echo "postgres.sh: the server did not start:" >&2
    cat "$exania_postgres_dir/server.log" >&2
    exania_postgres_stop
    export EXANIA_REQUIRE_POSTGRES=1
    return 1
  fi
  export EXANIA_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
  export EXANIA_REQUIRE_POSTGRES=1
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  # Run as a program: start the server, run the command given, stop the server.
  set -uo pipefail
  trap exania_postgres_stop EXIT
  exania_postgres_start || true
  if [ "$#" -gt 0 ]; then
    "$@"
    exit $?
  fi
  echo "postgres.sh: server up; EXANIA_TEST_POSTGRES=${EXANIA_TEST_POSTGRES:-}. Give a command to run with it (it is stopped when the script ends)." >&2
fi
