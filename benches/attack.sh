#!/usr/bin/env bash
# Attack benchmark: a release build of `certcopy serve` on SQLite (development PKI, demo
# office, one issued copy) receives 64 concurrent anonymous uploads of each class of
# hostile PDF (examples/hostile_pdfs.rs: chain-search bomb, decompression bomb, many
# revisions, compressed object streams) while one client looks the copy up by its code.
# Reports, per class, the answers, the slowest hostile answer, the lookup's p50/p99
# latency during the attack, and the server's peak RSS (VmHWM from /proc).
#
# The public per-address limit is raised for the run (CERTCOPY_PUBLIC_VERIFY_PER_MINUTE):
# an attacker with many addresses is not stopped by it, and the point is what the
# verification limits and deadlines do. Other settings are the defaults unless given in
# the environment (e.g. CERTCOPY_VERIFY_MAX_CONCURRENT).
#
# Needs: python3, curl. Targets: peak RSS < 512 MiB, lookup p99 < 50 ms, every hostile
# request answered within 2 s.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=${OUT:-$(mktemp -d)}
PORT=${PORT:-18471}
echo "== work directory: $OUT"

# RELEASE_BINARY: a release binary already built (skips the build).
if [ -z "${RELEASE_BINARY:-}" ]; then
  cargo build --quiet --release --bin certcopy
fi
cargo build --quiet --example hostile_pdfs
CERTCOPY="${RELEASE_BINARY:-$TARGET/release/certcopy}"
"$TARGET/debug/examples/hostile_pdfs" "$OUT/hostile"

HOME_DIR="$OUT/home"
mkdir -p "$HOME_DIR"
cd "$HOME_DIR"
export CERTCOPY_SEED_DEMO=true CERTCOPY_LOG=error CERTCOPY_PUBLIC_VERIFY_PER_MINUTE=1000000
issued=$("$CERTCOPY" issue --requester-name 'Nguyễn Văn An' --citizen-id 079203001234 \
  --title 'Bằng tốt nghiệp' --scan "$OUT/hostile/scan.jpg" --out "$OUT/copy.pdf")
CODE=${issued##*/v/}
echo "== copy issued, code $CODE"

CERTCOPY_PORT=$PORT "$CERTCOPY" serve >"$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$PORT/api/v1/health" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$PORT/api/v1/copies/by-code/$CODE" >/dev/null

python3 "$ROOT/benches/attack.py" "$PORT" "$SERVER" "$CODE" \
  "$OUT/hostile/chain_bomb.pdf" "$OUT/hostile/decompression_bomb.pdf" \
  "$OUT/hostile/many_revisions.pdf" "$OUT/hostile/object_streams.pdf"
echo "== server: $(grep -c . "$OUT/server.log" || true) log lines in $OUT/server.log"
