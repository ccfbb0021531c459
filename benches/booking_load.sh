#!/usr/bin/env bash
# Booking load test against a release build, on SQLite and on PostgreSQL (loopback only).
#
#   benches/booking_load.sh            # both backends
#   BACKENDS=sqlite benches/booking_load.sh
#
# Per backend: a fresh database seeded by `examples/booking_bench.rs` (one office, 100
# counters per slot, citizens with sessions), one `certcopy serve` process, then wrk:
#   0. reference: GET /api/v1/health (one trivial database query per request);
#   1. slot listing, one day and one week (public GET, req/s and p50/p99);
#   2. booking throughput: each request a different citizen, slots round-robin over the
#      next 30 days (committed bookings/s = 201 answers/s);
#   3. contention: fresh citizens all on the first 5 slots (500 seats, partly taken by
#      phase 2) — everything beyond the seats must be 409;
#   4. `booking_bench check`: no counter above capacity, every counter equal to the
#      appointments holding a seat (overbooked_slots=0, counter_mismatches=0).
# Figures go to stdout and target/booking-load/<backend>.txt. Needs wrk, python3 (free
# port) and, for PostgreSQL, a server at $PG_ADMIN_URL where databases may be created.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKENDS=${BACKENDS:-"sqlite postgres"}
DURATION=${DURATION:-15s}
CITIZENS=${CITIZENS:-40000}
HOT_CITIZENS=${HOT_CITIZENS:-5000}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
# Database connections per server (certcopy's default is 8).
POOL_SIZE=${POOL_SIZE:-8}
THREADS=2
OUT=target/booking-load
mkdir -p "$OUT"

command -v wrk >/dev/null || { echo "wrk is required"; exit 1; }
cargo build --release --bin certcopy --example booking_bench
BIN=$PWD/target/release/certcopy
SEED=$PWD/target/release/examples/booking_bench

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

run_backend() {
  local backend=$1 work url server port office first
  work=$(mktemp -d)
  case $backend in
    sqlite) url=$work/data/certcopy.db ;;
    postgres)
      local name="certcopy_load_$$"
      psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name"
      url="${PG_ADMIN_URL%/*}/$name" ;;
  esac
  "$SEED" seed "$url" "$work" "$CITIZENS"
  # Fresh citizens for the contention phase: the last HOT_CITIZENS tokens.
  tail -n "$HOT_CITIZENS" "$work/tokens.txt" > "$work/hot_tokens.txt"
  head -n "$((CITIZENS - HOT_CITIZENS))" "$work/tokens.txt" > "$work/main_tokens.txt"
  office=$(cat "$work/office_id")
  first=$(cat "$work/first_date")
  port=$(free_port)
  (cd "$work" && CERTCOPY_DATABASE_URL=$url CERTCOPY_DATA_DIR=$work/data CERTCOPY_PORT=$port \
     CERTCOPY_DATABASE_POOL_SIZE=$POOL_SIZE CERTCOPY_SEED_DEMO=false CERTCOPY_DEV_PKI=false CERTCOPY_LOG=warn \
     exec "$BIN" serve) 2>"$work/server.log" &
  server=$!
  trap 'kill $server 2>/dev/null || true' RETURN
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null && break
    sleep 0.1
  done
  local base="http://127.0.0.1:$port"
  {
    echo "== $backend: $(nproc) cores, wrk -t$THREADS, $DURATION per phase, pool $POOL_SIZE, $(git rev-parse --short HEAD), load $(cut -d' ' -f1 /proc/loadavg)"
    echo "-- reference: health (SELECT 1)"
    wrk -t$THREADS -c32 -d"$DURATION" --latency "$base/api/v1/health"
    echo "-- slot listing, one day (30 slots)"
    wrk -t$THREADS -c32 -d"$DURATION" --latency "$base/api/v1/offices/$office/slots?from=$first&to=$first"
    echo "-- slot listing, one week"
    wrk -t$THREADS -c32 -d"$DURATION" --latency "$base/api/v1/offices/$office/slots?from=$first&to=$(date -d "$first + 6 days" +%F)"
    echo "-- booking, one citizen per request, slots round-robin"
    wrk -t$THREADS -c32 -d"$DURATION" --latency -s benches/booking_load.lua "$base" -- "$work" $THREADS main_tokens.txt 0
    echo "-- contention: fresh citizens on 5 slots (500 seats)"
    wrk -t$THREADS -c32 -d5s --latency -s benches/booking_load.lua "$base" -- "$work" $THREADS hot_tokens.txt 5
    echo "-- check"
    "$SEED" check "$url" "$office"
  } 2>&1 | tee "$OUT/$backend.txt"
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  if [ "$backend" = postgres ]; then
    psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS certcopy_load_$$ WITH (FORCE)"
  fi
  rm -rf "$work"
}

for backend in $BACKENDS; do
  run_backend "$backend"
done
