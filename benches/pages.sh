#!/usr/bin/env bash
# Page budgets against a release build, on SQLite and on PostgreSQL (loopback only).
#
#   benches/pages.sh                   # both backends
#   BACKENDS=sqlite benches/pages.sh
#
# Per backend: a fresh database seeded by `examples/booking_bench.rs` (one office,
# citizens with sessions), one `certcopy serve` process, then
#   1. weight: HTML of each main page + the stylesheet, in bytes (budget 60 KB each), and
#      every `src`/`href`/`action` of the page on this origin (no request to another);
#   2. wrk, 50 connections, on the home page, the office's page and the booking page of
#      a day (its free times; signed in as a citizen), with the health check (one trivial
#      query) as the reference measured in the same run. Budget: server time p99 <= 20 ms.
#      Two times per page: wrk's (the client's: queueing in the kernel and for the cores
#      wrk shares with the server included) and the server's own, from request received to
#      answer ready, read from the access log (`ms=` of each request line; the server runs
#      with the access log on for this, which costs it a little).
# Figures go to stdout and target/page-budgets/<backend>.txt. Needs wrk, curl, python3
# and, for PostgreSQL, a server at $PG_ADMIN_URL where databases may be created.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKENDS=${BACKENDS:-"sqlite postgres"}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-50}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
THREADS=2
OUT=target/page-budgets
mkdir -p "$OUT"

command -v wrk >/dev/null || { echo "wrk is required"; exit 1; }
if [ -z "${RELEASE_BINARY:-}" ]; then
  cargo build --quiet --release --bin certcopy --example booking_bench
fi
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
BIN=${RELEASE_BINARY:-$TARGET/release/certcopy}
SEED=$TARGET/release/examples/booking_bench

# Server time of the requests logged since line $2 of log $1 whose path starts with $3:
# count, p50, p99, max in ms.
server_time() {
  tail -n +"$(($2 + 1))" "$1" | python3 -c '
import re, sys
prefix = sys.argv[1]
times = sorted(float(m.group(2)) for m in (re.search(r"path=(\S+) status=\d+ ms=([0-9.]+)", l) for l in sys.stdin)
               if m and m.group(1).startswith(prefix))
if not times:
    print("server time: no request logged"); sys.exit()
pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
verdict = "ok" if pick(0.99) <= 20 else "OVER BUDGET"
print(f"server time: {len(times)} requests, p50 {pick(0.5):.2f} ms, p99 {pick(0.99):.2f} ms, max {times[-1]:.2f} ms (budget p99 <= 20 ms)  {verdict}")
' "$3"
}

# wrk on a page, then the server's own times of those requests.
measure() {
  local prefix=$1 mark
  shift
  mark=$(wc -l <"$log")
  wrk -t$THREADS -c"$CONNECTIONS" -d"$DURATION" --latency "$@"
  server_time "$log" "$mark" "$prefix"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Bytes of a page (+ the stylesheet) and the addresses it refers to that leave this origin.
weigh() {
  local name=$1 url=$2 token=${3:-} body css
  if [ -n "$token" ]; then
    body=$(curl -fsS -H "Authorization: Bearer $token" "$url")
  else
    body=$(curl -fsS "$url")
  fi
  css=$(curl -fsS "$BASE/assets/page.css")
  local html_bytes=${#body} css_bytes=${#css}
  local total=$((html_bytes + css_bytes))
  local foreign
  foreign=$(printf '%s' "$body" | grep -oE '(src|href|action)="[^"]*"' | grep -vE '="(/|#|\?|data:)' || true)
  local verdict=ok
  [ "$total" -le 61440 ] || verdict="OVER BUDGET"
  [ -z "$foreign" ] || verdict="OTHER ORIGIN: $foreign"
  printf '%-28s html %6d B + css %5d B = %6d B (budget 61440)  %s\n' "$name" "$html_bytes" "$css_bytes" "$total" "$verdict"
}

run_backend() {
  local backend=$1 work url server port office first token
  work=$(mktemp -d)
  case $backend in
    sqlite) url=$work/data/certcopy.db ;;
    postgres)
      local name="certcopy_pages_$$"
      psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name"
      url="${PG_ADMIN_URL%/*}/$name" ;;
  esac
  "$SEED" seed "$url" "$work" 100 >/dev/null
  office=$(cat "$work/office_id")
  first=$(cat "$work/first_date")
  token=$(head -n 1 "$work/tokens.txt")
  port=$(free_port)
  (cd "$work" && CERTCOPY_DATABASE_URL=$url CERTCOPY_DATA_DIR=$work/data CERTCOPY_PORT=$port \
     CERTCOPY_SEED_DEMO=false CERTCOPY_DEV_PKI=false CERTCOPY_LOG=warn,certcopy::web::request_id=info \
     exec "$BIN" serve) 2>"$work/server.log" &
  log=$work/server.log
  server=$!
  trap 'kill $server 2>/dev/null || true' RETURN
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null && break
    sleep 0.1
  done
  BASE="http://127.0.0.1:$port"
  {
    echo "== $backend: $(nproc) cores, wrk -t$THREADS -c$CONNECTIONS, $DURATION per page, $(git rev-parse --short HEAD), load $(cut -d' ' -f1 /proc/loadavg)"
    echo "-- weight (HTML + page.css) and origins"
    weigh "home /" "$BASE/"
    weigh "offices /offices" "$BASE/offices"
    weigh "office /offices/{id}" "$BASE/offices/$office"
    weigh "book a day /book/{id}?day=" "$BASE/book/$office?day=$first" "$token"
    weigh "documents /book/…/documents" "$BASE/book/$office/documents?slot=${first}T08:00:00%2B07:00" "$token"
    weigh "verify /verify" "$BASE/verify"
    weigh "sign in /login" "$BASE/login"
    weigh "register /register" "$BASE/register"
    weigh "my page /me" "$BASE/me" "$token"
    echo "-- reference: health (SELECT 1)"
    measure /api/v1/health "$BASE/api/v1/health"
    echo "-- home page"
    measure / "$BASE/"
    echo "-- office page (hours, free places of 7 days)"
    measure "/offices/$office" "$BASE/offices/$office"
    echo "-- booking page of a day (free times), signed in"
    measure "/book/$office" -H "Authorization: Bearer $token" "$BASE/book/$office?day=$first"
  } 2>&1 | tee "$OUT/$backend.txt"
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  if [ "$backend" = postgres ]; then
    psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS certcopy_pages_$$ WITH (FORCE)"
  fi
  rm -rf "$work"
}

for backend in $BACKENDS; do
  run_backend "$backend"
done
