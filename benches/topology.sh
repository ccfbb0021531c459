#!/usr/bin/env bash
# Load over the production shape on loopback (docs/DEPLOY.md): PostgreSQL, the blobs in an
# S3-compatible bucket (moto_server), and first ONE then TWO `certcopy serve` instances
# sharing them (the same secret key, log key, PKI directory and bucket), in one run:
#
#   benches/topology.sh
#   DURATION=20s CONNECTIONS=32 benches/topology.sh
#
# Setup: a fresh database; `certcopy issue` makes one copy (demo office, development
# PKI, the blob written to the bucket); `examples/booking_bench.rs seed` adds an office
# with 100 counters per slot and citizens with sessions; an administrator makes an agency
# with an API key. Then per topology, two wrk processes (2 threads, CONNECTIONS/2
# connections each; with two instances one per instance, as a proxy balancing round
# robin would) for each phase:
#   1. booking: POST /api/v1/appointments, one citizen per request, slots round-robin;
#   2. by-code lookups: GET /api/v1/copies/by-code/{code} (the status behind a QR code);
#   3. agency verifications: POST /api/v1/verifications with the copy's PDF and the key.
# Throughput is summed over the two wrk processes, p50/p99 is the worse of the two. The
# CPU seconds each part used in each phase (the instances, PostgreSQL, moto, wrk and the
# rest) come from /proc, to show where the time goes. The machine's own ceiling is the
# reference measured in the same run: GET /assets/page.css (no database).
# Needs wrk, curl, python3, moto_server and PostgreSQL at $PG_ADMIN_URL.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
CITIZENS=${CITIZENS:-60000}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
OUT=$PWD/target/topology-bench
mkdir -p "$OUT"

for tool in wrk curl python3 moto_server psql; do
  command -v $tool >/dev/null || { echo "$tool is required"; exit 1; }
done
if [ -z "${RELEASE_BINARY:-}" ]; then
  cargo build --quiet --release --bin certcopy --example booking_bench
fi
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
BIN=${RELEASE_BINARY:-$TARGET/release/certcopy}
SEED=${SEED_BINARY:-$TARGET/release/examples/booking_bench}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ticks() { # CPU ticks (user + system) of the given pids, summed
  local total=0 pid
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] || continue
    total=$((total + $(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat")))
  done
  echo $total
}
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
pg_pids() { pgrep -x postgres | tr '\n' ' '; }

work=$(mktemp -d)
name="certcopy_topology_$$"
psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name"
url="${PG_ADMIN_URL%/*}/$name"
moto_port=$(free_port)
moto_server -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 &
moto=$!
servers=()
cleanup() {
  kill "${servers[@]}" "$moto" 2>/dev/null || true
  psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$moto_port/" >/dev/null && break; sleep 0.1; done
curl -sf -X PUT "http://127.0.0.1:$moto_port/certcopy" >/dev/null

export CERTCOPY_DATABASE_URL=$url CERTCOPY_BLOB_URL=s3://certcopy/blobs \
  CERTCOPY_S3_ENDPOINT=http://127.0.0.1:$moto_port CERTCOPY_S3_ALLOW_HTTP=true \
  AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret \
  CERTCOPY_SECRET_KEY=hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk= \
  CERTCOPY_LOG_KEY_FILE=$work/shared/log.key CERTCOPY_PKI_DIR=$work/shared/pki \
  CERTCOPY_PUBLIC_VERIFY_PER_MINUTE=1000000 CERTCOPY_LOG=error
mkdir -p "$work/shared"

python3 benches/scan_page.py "$work/scan.jpg"
issued=$(cd "$work" && CERTCOPY_DATA_DIR=$work/setup CERTCOPY_SEED_DEMO=true "$BIN" issue \
  --requester-name 'Nguyễn Văn An' --citizen-id 079203001234 --title 'Bằng tốt nghiệp' \
  --scan "$work/scan.jpg" --out "$work/copy.pdf")
code=${issued##*/v/}
"$SEED" seed "$url" "$work" "$CITIZENS" >/dev/null
office=$(cat "$work/office_id")
# Four token files: each wrk process of each run books with citizens of its own.
for n in 0 1 2 3; do awk -v n=$n 'NR % 4 == n' "$work/tokens.txt" >"$work/tokens-$n.txt"; done

serve() { # serve NAME: starts an instance (own data dir, everything else shared), prints "pid port"
  local port
  port=$(free_port)
  mkdir -p "$work/$1"
  (cd "$work/$1" && exec env CERTCOPY_PORT="$port" CERTCOPY_DATA_DIR="$work/$1/data" \
     CERTCOPY_DEV_PKI=true CERTCOPY_SEED_DEMO=false "$BIN" serve) 2>"$work/$1.log" >/dev/null &
  local pid=$!
  for _ in $(seq 1 300); do
    if curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null; then echo "$pid $port"; return 0; fi
    sleep 0.1
  done
  echo "instance $1 did not start: $(tail -5 "$work/$1.log")" >&2
  return 1
}

read -r pid_a port_a < <(serve a)
servers+=("$pid_a")
# An agency with an API key, made by the demo administrator.
admin_password=$(awk '/login: admin / { print $NF }' "$work/setup/demo-accounts.txt")
token=$(curl -sf -H 'Content-Type: application/json' \
  -d "{\"login\":\"admin\",\"password\":\"$admin_password\"}" \
  "http://127.0.0.1:$port_a/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
key=$(curl -sf -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
  -d '{"name":"Sở Tư pháp","username":"so.tuphap"}' \
  "http://127.0.0.1:$port_a/api/v1/admin/agencies" | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
cat >"$work/verify.lua" <<LUA
local file = io.open("$work/copy.pdf", "rb")
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/pdf"
wrk.headers["X-Api-Key"] = "$key"
LUA

# phase NAME PORT0 PORT1 WRK-ARGS...: two wrk processes at once; prints one table row.
phase() {
  local label=$1 p0=$2 p1=$3
  shift 3
  local before_inst before_pg before_moto before_busy before_all
  before_inst=$(ticks "${servers[@]}"); before_pg=$(ticks $(pg_pids)); before_moto=$(ticks "$moto")
  before_busy=$(busy_ticks)
  local half=$((CONNECTIONS / 2)) i=0 port pids=()
  for port in "$p0" "$p1"; do
    # {BASE} is the instance's address, {TOKENS} this process's token file.
    local args=("${@//\{TOKENS\}/tokens-$((TOKEN_SET + i)).txt}")
    wrk -t2 -c"$half" -d"$DURATION" --latency "${args[@]/\{BASE\}/http://127.0.0.1:$port}" \
      >"$work/wrk-$i.txt" 2>&1 &
    pids+=($!)
    i=$((i + 1))
  done
  wait "${pids[@]}"
  local inst pg mo busy
  inst=$(( $(ticks "${servers[@]}") - before_inst )); pg=$(( $(ticks $(pg_pids)) - before_pg ))
  mo=$(( $(ticks "$moto") - before_moto )); busy=$(( $(busy_ticks) - before_busy ))
  python3 - "$label" "$work/wrk-0.txt" "$work/wrk-1.txt" "$inst" "$pg" "$mo" "$busy" "$(getconf CLK_TCK)" "$DURATION" <<'PY'
import re, sys
label, a, b, inst, pg, mo, busy, hz, duration = sys.argv[1:]
def parse(path):
    text = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    def ms(pct):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    extra = re.search(r"committed bookings/s: (\d+)", text)
    answers = re.search(r"answers: 201=(\d+) 409=(\d+) other=(\d+)", text)
    unexpected = re.findall(r"^unexpected .*$", text, re.M)
    return (rps, ms(50), ms(99), int(non2xx.group(1)) if non2xx else 0,
            float(extra.group(1)) if extra else None,
            tuple(int(x) for x in answers.groups()) if answers else None, unexpected)
r = [parse(a), parse(b)]
for x in r:
    for line in x[6]:
        print(line, file=sys.stderr)
hz, seconds = float(hz), float(duration.rstrip("s"))
cpu = lambda t: float(t) / hz
other = cpu(busy) - cpu(inst) - cpu(pg) - cpu(mo)
committed = sum(x[4] for x in r if x[4] is not None)
note = ""
if any(x[4] is not None for x in r):
    conflicts = sum(x[5][1] for x in r if x[5])
    others = sum(x[5][2] for x in r if x[5])
    note = f" ({committed:.0f} committed/s; 409: {conflicts}, other: {others})"
print(f"| {label} | {r[0][0] + r[1][0]:,.0f} req/s{note} | {max(r[0][1], r[1][1]):.1f} ms | "
      f"{max(r[0][2], r[1][2]):.1f} ms | {r[0][3] + r[1][3]} | {cpu(inst)/seconds:.2f} | "
      f"{cpu(pg)/seconds:.2f} | {cpu(mo)/seconds:.2f} | {other/seconds:.2f} |")
PY
}

run() { # run LABEL PORT0 PORT1
  local p0=$2 p1=$3
  echo
  echo "### $1"
  echo
  echo "| phase | throughput | p50 | p99 | non-2xx | CPU cores: instances | PostgreSQL | moto | wrk + rest |"
  echo "|---|---|---|---|---|---|---|---|---|"
  phase "reference: /assets/page.css" "$p0" "$p1" "{BASE}/assets/page.css"
  phase "booking" "$p0" "$p1" -s benches/booking_load.lua "{BASE}" -- "$work" 2 "{TOKENS}" 0
  phase "by-code lookup" "$p0" "$p1" "{BASE}/api/v1/copies/by-code/$code"
  phase "agency verification" "$p0" "$p1" -s "$work/verify.lua" "{BASE}/api/v1/verifications"
}

exec > >(tee "$OUT/topology.md") 2>&1
{
  echo "## Topology: one instance vs two ($(nproc) cores, loopback, $DURATION per phase, $CONNECTIONS connections in all, $(git rev-parse --short HEAD), load $(cut -d' ' -f1 /proc/loadavg))"
  TOKEN_SET=0 run "one instance" "$port_a" "$port_a"
  read -r pid_b port_b < <(serve b)
  servers+=("$pid_b")
  TOKEN_SET=2 run "two instances" "$port_a" "$port_b"
  echo
  echo "check: $("$SEED" check "$url" "$office" | tr '\n' ' ')"
}
