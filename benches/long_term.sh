#!/usr/bin/env bash
# What long-term validity costs, measured in one run on the same one-page scan:
#
#   issue   `certcopy issue` at PAdES B-B (no time-stamps), B-T (a time-stamp on each
#           signature) and B-LTA (also the DSS and a document time-stamp), against
#           `sha256sum` of the scan;
#   verify  `certcopy verify` of the three copies, pyHanko's `validate` and its AdES LTA
#           validation (`adesverify`) of the B-LTA copy, against `sha256sum` of it;
#   size    of each copy.
#
# Needs: hyperfine, pyhanko (pip: pyhanko pyhanko-cli), sha256sum, python3.
# RUNS=N sets hyperfine's runs (default 20). The raw figures stay in $OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
for tool in hyperfine pyhanko sha256sum python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "long_term.sh needs $tool" >&2; exit 2; }
done
RUNS=${RUNS:-20}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
echo "== work directory: $OUT"

cargo build --quiet --release --bin certcopy
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
CERTCOPY="$TARGET/release/certcopy"
SCAN="$ROOT/fixtures/jpeg/ycc420.jpg"

HOME_DIR="$OUT/home"
mkdir -p "$HOME_DIR"
cd "$HOME_DIR"
export CERTCOPY_SEED_DEMO=true RUST_LOG=error CERTCOPY_LOG=off
issue() { # level out
  local timestamps=true long_term=true
  case "$1" in
    B-B) timestamps=false long_term=false ;;
    B-T) long_term=false ;;
  esac
  echo "CERTCOPY_COPY_TIMESTAMPS=$timestamps CERTCOPY_COPY_LONG_TERM=$long_term $CERTCOPY issue --requester-name 'Nguyễn Văn An' --citizen-id 079203001234 --title 'Bằng tốt nghiệp' --scan $SCAN --out $2"
}
for level in B-B B-T B-LTA; do
  eval "$(issue $level "$OUT/$level.pdf")" >/dev/null
done
ROOT_CRT="$HOME_DIR/certs/dev/root.crt"
for level in B-B B-T B-LTA; do
  $CERTCOPY verify "$OUT/$level.pdf" >/dev/null || { echo "certcopy verify rejected $level" >&2; exit 1; }
done
pyhanko sign adesverify --trust "$ROOT_CRT" --trust-replace "$OUT/B-LTA.pdf" >/dev/null 2>&1 \
  || { echo "pyHanko's LTA validation rejected the B-LTA copy" >&2; exit 1; }

echo "== issue ($RUNS runs each)"
hyperfine --style basic --runs "$RUNS" --warmup 3 --export-json "$OUT/issue.json" \
  -n "sha256sum scan" "sha256sum $SCAN" \
  -n "issue B-B" "$(issue B-B "$OUT/run.pdf")" \
  -n "issue B-T" "$(issue B-T "$OUT/run.pdf")" \
  -n "issue B-LTA" "$(issue B-LTA "$OUT/run.pdf")"

echo "== verify ($RUNS runs each)"
hyperfine --style basic --runs "$RUNS" --warmup 3 --export-json "$OUT/verify.json" \
  -n "sha256sum B-LTA" "sha256sum $OUT/B-LTA.pdf" \
  -n "verify B-B" "$CERTCOPY verify $OUT/B-B.pdf" \
  -n "verify B-T" "$CERTCOPY verify $OUT/B-T.pdf" \
  -n "verify B-LTA" "$CERTCOPY verify $OUT/B-LTA.pdf" \
  -n "pyhanko validate B-LTA" "pyhanko sign validate --trust $ROOT_CRT --trust-replace --no-revocation-check $OUT/B-LTA.pdf" \
  -n "pyhanko adesverify B-LTA" "pyhanko sign adesverify --trust $ROOT_CRT --trust-replace $OUT/B-LTA.pdf"

python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
def means(name):
    with open(os.path.join(out, name)) as f:
        return {r["command"]: (r["mean"], r["stddev"]) for r in json.load(f)["results"]}
for name, reference in (("issue.json", "sha256sum scan"), ("verify.json", "sha256sum B-LTA")):
    results = means(name)
    base = results[reference][0]
    print(f"\n{name[:-5]} (mean ± σ, and against {reference})")
    for command, (mean, sd) in results.items():
        print(f"  {command:26} {mean*1000:7.1f} ± {sd*1000:4.1f} ms  {mean/base:6.1f}x")
issue = means("issue.json")
verify = means("verify.json")
print(f"\n  issue  B-T / B-B   = {issue['issue B-T'][0] / issue['issue B-B'][0]:.2f}x,"
      f" B-LTA / B-B = {issue['issue B-LTA'][0] / issue['issue B-B'][0]:.2f}x")
print(f"  verify B-T / B-B   = {verify['verify B-T'][0] / verify['verify B-B'][0]:.2f}x,"
      f" B-LTA / B-B = {verify['verify B-LTA'][0] / verify['verify B-B'][0]:.2f}x")
print(f"  pyHanko adesverify / certcopy verify (B-LTA) = "
      f"{verify['pyhanko adesverify B-LTA'][0] / verify['verify B-LTA'][0]:.1f}x")
for level in ("B-B", "B-T", "B-LTA"):
    print(f"  size {level:6} {os.path.getsize(os.path.join(out, level + '.pdf')) / 1000:.1f} KB")
PY
