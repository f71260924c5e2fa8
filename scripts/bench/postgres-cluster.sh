#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for `npm run bench` against another server build (Debian's
# PostgreSQL 15 by default): durable settings (fsync on), loopback only, in a temporary folder.
#   eval "$(scripts/bench/postgres-cluster.sh start [/usr/lib/postgresql/15/bin])"   # sets DATABASE_URL, BENCH_CLUSTER_DIR
#   DATABASE_URL=$DATABASE_URL npm run bench
#   scripts/bench/postgres-cluster.sh restart "$BENCH_CLUSTER_DIR"   # the bench's restart phase: BENCH_RESTART_COMMAND
#   scripts/bench/postgres-cluster.sh stop "$BENCH_CLUSTER_DIR"
set -euo pipefail

as_postgres() {
  # PostgreSQL refuses to run as root.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    bin="${2:-/usr/lib/postgresql/15/bin}"
    dir="$(mktemp -d /tmp/bench-pg-XXXXXX)"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
    as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-instructions >"$dir/initdb.log"
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories= -c fsync=on -c max_connections=200" start >/dev/null
    echo "export BENCH_CLUSTER_DIR=$dir DATABASE_URL=postgresql://postgres@127.0.0.1:$port/postgres"
    ;;
  restart)
    dir="${2:?usage: $0 restart DIR}"
    bin="${3:-/usr/lib/postgresql/15/bin}"
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w restart >/dev/null
    ;;
  stop)
    dir="${2:?usage: $0 stop DIR}"
    bin="${3:-/usr/lib/postgresql/15/bin}"
    as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start [BINDIR] | restart DIR [BINDIR] | stop DIR [BINDIR]" >&2
    exit 2
    ;;
esac
