#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, on 127.0.0.1.
#   pg_cluster.sh start DIR   initializes a cluster in DIR/data, starts it on
#                             a free port and writes its URI (the `postgres`
#                             database; trust authentication, loopback only)
#                             to DIR/uri
#   pg_cluster.sh stop DIR    stops it and removes DIR
# PostgreSQL refuses to run as root, so as root the cluster runs as the
# `postgres` user (runuser). fsync is off: the tests measure nothing.
set -euo pipefail
command="$1"
dir="$2"

bindir=""
for candidate in /usr/lib/postgresql/*/bin; do
  [ -x "$candidate/initdb" ] && bindir="$candidate"
done
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$command" in
  start)
    if [ "${PLANSYNC_SKIP_PG:-}" = "1" ]; then
      echo "pg_cluster: PLANSYNC_SKIP_PG=1: no cluster; the PostgreSQL tests" \
        "skip" >&2
      rm -rf "$dir"
      exit 0
    fi
    if [ -z "$bindir" ]; then
      echo "pg_cluster: no PostgreSQL server (install postgresql), or set" \
        "PLANSYNC_SKIP_PG=1 to skip the PostgreSQL tests" >&2
      exit 1
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust \
      --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || shuf -i 20000-60000 -n 1)"
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off \
-c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start >/dev/null ||
      { cat "$dir/server.log" >&2; exit 1; }
    echo "postgresql://postgres@127.0.0.1:$port/postgres" >"$dir/uri"
    ;;
  stop)
    if [ -n "$bindir" ] && [ -d "$dir/data" ]; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop \
        >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: pg_cluster.sh start|stop DIR" >&2
    exit 2
    ;;
esac
