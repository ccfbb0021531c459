#!/usr/bin/env bash
# The lookups every receiving agency makes, against a release build, on SQLite and on
# PostgreSQL (loopback only):
#
#   benches/lookup.sh                  # both backends
#   BACKENDS=sqlite benches/lookup.sh
#
# Per backend: a fresh service home where `certcopy issue` makes one copy (development
# PKI, demo office), `certcopy serve`, then benches/lookup_setup.py through the API: a
# citizen registers, the demo clerk confirms the citizen's ID at the desk, the citizen
# shares the copy, an administrator makes an agency with an API key. Then wrk, 2 threads,
# 50 connections, 10 s each:
#   1. the stylesheet (`/assets/page.css`: no database, the framework's ceiling), as the
#      reference measured in the same run;
#   2. `GET /api/v1/copies/by-code/{code}`: the JSON status behind a QR code
#      (target >= 8,000 req/s, p99 <= 10 ms);
#   3. the same with the status cache off (CERTCOPY_STATUS_CACHE_SECS=0 on a second
#      server over the same database): what the cache is worth;
#   4. `POST /api/v1/shares/redeem {code}` with the agency's key: one use counted and
#      recorded (a write transaction each), the report of the stored PDF (kept 5 s);
#      first one share redeemed by every request (all writes on one row), then 100
#      shares taken in turn (as many agencies redeeming different shares).
# Figures go to stdout and target/lookup-bench/<backend>.txt. Needs wrk, curl, python3,
# and for PostgreSQL a server at $PG_ADMIN_URL where databases may be created.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKENDS=${BACKENDS:-"sqlite postgres"}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-50}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
THREADS=2
OUT=$PWD/target/lookup-bench
mkdir -p "$OUT"

command -v wrk >/dev/null || { echo "wrk is required"; exit 1; }
if [ -z "${RELEASE_BINARY:-}" ]; then
  cargo build --quiet --release --bin certcopy
fi
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
BIN=${RELEASE_BINARY:-$TARGET/release/certcopy}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

serve() { # serve PORT LOGFILE [ENV=VALUE...]: starts a server in $work, prints its pid
  local port=$1 log=$2
  shift 2
  (cd "$work" && exec env "$@" CERTCOPY_DATABASE_URL="$url" CERTCOPY_PORT="$port" CERTCOPY_LOG=warn \
     CERTCOPY_PUBLIC_VERIFY_PER_MINUTE=1000000 "$BIN" serve) 2>"$log" >/dev/null &
  echo $!
  for _ in $(seq 1 200); do
    curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null && return 0
    sleep 0.1
  done
  echo "the server on port $port did not start: $(tail -5 "$log")" >&2
  return 1
}

run_backend() {
  local backend=$1 port port2 server server2 code key share
  work=$(mktemp -d)
  case $backend in
    sqlite) url=$work/data/certcopy.db ;;
    postgres)
      local name="certcopy_lookup_$$"
      psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name"
      url="${PG_ADMIN_URL%/*}/$name" ;;
  esac
  local issued
  python3 benches/scan_page.py "$work/scan.jpg"
  issued=$(cd "$work" && CERTCOPY_DATABASE_URL=$url CERTCOPY_SEED_DEMO=true CERTCOPY_LOG=error "$BIN" issue \
    --requester-name 'Nguyễn Văn An' --citizen-id 079203001234 --title 'Bằng tốt nghiệp' \
    --scan "$work/scan.jpg" --out "$work/copy.pdf")
  code=${issued##*/v/}
  port=$(free_port)
  server=$(serve "$port" "$work/server.log")
  trap 'kill $server 2>/dev/null || true' RETURN
  read -r key share < <(python3 benches/lookup_setup.py "http://127.0.0.1:$port" "$work/data/demo-accounts.txt" "$work/shares.txt")
  local base="http://127.0.0.1:$port"
  printf 'wrk.method = "POST"\nwrk.body = [[{"code": "%s"}]]\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["X-Api-Key"] = "%s"\n' \
    "$share" "$key" >"$work/redeem.lua"
  # Each request the next of the 100 codes.
  cat >"$work/redeem-many.lua" <<LUA
local codes, i = {}, 0
for line in io.lines("$work/shares.txt") do codes[#codes + 1] = line end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Api-Key"] = "$key"
request = function()
  i = i % #codes + 1
  return wrk.format(nil, nil, nil, '{"code": "' .. codes[i] .. '"}')
end
LUA
  {
    echo "== $backend: $(nproc) cores, wrk -t$THREADS -c$CONNECTIONS, $DURATION each, $(git rev-parse --short HEAD), load $(cut -d' ' -f1 /proc/loadavg)"
    echo "-- reference: the stylesheet (no database)"
    wrk -t$THREADS -c"$CONNECTIONS" -d"$DURATION" --latency "$base/assets/page.css"
    echo "-- status by code (JSON), status cache on (5 s)"
    curl -fsS "$base/api/v1/copies/by-code/$code" && echo
    wrk -t$THREADS -c"$CONNECTIONS" -d"$DURATION" --latency "$base/api/v1/copies/by-code/$code"
    echo "-- share redeem, one share (one use counted and recorded each; the report kept 5 s)"
    curl -fsS -o /dev/null -w 'redeem answers %{http_code}\n' -X POST -H 'Content-Type: application/json' \
      -H "X-Api-Key: $key" -d "{\"code\": \"$share\"}" "$base/api/v1/shares/redeem"
    wrk -t$THREADS -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/redeem.lua" "$base/api/v1/shares/redeem"
    echo "-- share redeem, 100 shares in turn"
    wrk -t$THREADS -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/redeem-many.lua" "$base/api/v1/shares/redeem"
    kill "$server"; wait "$server" 2>/dev/null || true
    port2=$(free_port)
    server2=$(serve "$port2" "$work/server2.log" CERTCOPY_STATUS_CACHE_SECS=0)
    echo "-- status by code (JSON), status cache off"
    wrk -t$THREADS -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$port2/api/v1/copies/by-code/$code"
    kill "$server2"; wait "$server2" 2>/dev/null || true
  } 2>&1 | tee "$OUT/$backend.txt"
  kill "$server" 2>/dev/null || true
  wait 2>/dev/null || true
  if [ "$backend" = postgres ]; then
    psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS certcopy_lookup_$$ WITH (FORCE)"
  fi
  rm -rf "$work"
}

for backend in $BACKENDS; do
  run_backend "$backend"
done
