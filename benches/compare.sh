#!/usr/bin/env bash
# Issuing and verifying a 10-page A4 300-dpi copy, compared in one run on the same input:
#
#   issue   `certcopy issue` (intake, assembly, two signatures, register, blob store)
#           vs pyHanko adding the same two PAdES signatures (certification, then approval)
#           to the same copy assembled but unsigned, vs `sha256sum` of our output;
#           peak memory of `certcopy issue` vs the size of its output;
#   verify  `certcopy verify` (both signatures, chains, CRLs, register) vs
#           `pyhanko sign validate` vs poppler `pdfsig`, all on the copy just issued;
#   in process (criterion, `cargo bench`): assemble + sign twice vs SHA-256 of the output,
#           verify_pdf vs SHA-256 of the same bytes. Skip with SKIP_CRITERION=1.
#
# Needs: hyperfine, pyhanko (pip: pyhanko pyhanko-cli), pdfsig (poppler-utils),
# certutil (libnss3-tools), sha256sum, python3. RUNS=N sets hyperfine's runs (default 10).
# Prints the ratios; the raw figures stay in $OUT (default: a temporary directory).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

for tool in hyperfine pyhanko pdfsig certutil sha256sum python3; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "compare.sh needs $tool (apt-get install hyperfine poppler-utils libnss3-tools; pip install pyhanko pyhanko-cli)" >&2
    exit 2
  }
done
RUNS=${RUNS:-10}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
echo "== work directory: $OUT"

cargo build --quiet --release --bin certcopy --example bench_inputs
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
CERTCOPY="$TARGET/release/certcopy"
INPUTS="$TARGET/release/examples/bench_inputs"

"$INPUTS" scans "$OUT/scans"
"$INPUTS" unsigned "$OUT/unsigned.pdf" "$OUT"/scans/page-*.jpg

# A service home of its own: SQLite register, development PKI and demo office, created by
# the first (warm-up) issuance.
HOME_DIR="$OUT/home"
mkdir -p "$HOME_DIR"
cd "$HOME_DIR"
export CERTCOPY_SEED_DEMO=true RUST_LOG=error
issue_cmd="$CERTCOPY issue --requester-name 'Nguyễn Văn An' --citizen-id 079203001234 --title 'Bằng tốt nghiệp' --out $OUT/copy.pdf"
for page in "$OUT"/scans/page-*.jpg; do issue_cmd="$issue_cmd --scan $page"; done
eval "$issue_cmd" >/dev/null
ROOT_CRT="$HOME_DIR/certs/dev/root.crt"

# pyHanko signs with the test PKI keys (RSA-2048 like ours), visible fields on the last page.
PKI="$ROOT/fixtures/pki"
pyhanko_sign="pyhanko sign addsig --use-pades --certify --field 10/60,40,280,100/Official pemder --no-pass --key $PKI/signer-rsa.key --cert $PKI/signer-rsa.crt --chain $PKI/justice-ca.crt $OUT/unsigned.pdf $OUT/py-1.pdf && pyhanko sign addsig --use-pades --field 10/320,40,540,100/Seal pemder --no-pass --key $PKI/seal-rsa.key --cert $PKI/seal-rsa.crt --chain $PKI/justice-ca.crt $OUT/py-1.pdf $OUT/py-2.pdf"

NSS="$OUT/nss"
rm -rf "$NSS" && mkdir -p "$NSS"
certutil -N -d "sql:$NSS" --empty-password
certutil -A -d "sql:$NSS" -n certcopy-dev-root -t CT,C,C -i "$ROOT_CRT"

verify_ours="$CERTCOPY verify $OUT/copy.pdf"
verify_pyhanko="pyhanko sign validate --trust $ROOT_CRT --trust-replace --no-revocation-check $OUT/copy.pdf"
verify_pdfsig="pdfsig -no-ocsp -nssdir sql:$NSS $OUT/copy.pdf"

# Each must succeed before it is timed.
eval "$pyhanko_sign" >/dev/null
$verify_ours >/dev/null || { echo "certcopy verify rejected the copy" >&2; exit 1; }
$verify_pyhanko >/dev/null || { echo "pyHanko rejected the copy" >&2; exit 1; }
[ "$($verify_pdfsig | grep -c 'Signature is Valid')" -eq 2 ] || { echo "pdfsig rejected the copy" >&2; exit 1; }

echo "== issue ($RUNS runs each)"
hyperfine --style basic --runs "$RUNS" --warmup 1 --export-json "$OUT/issue.json" \
  -n "certcopy issue" "$issue_cmd" \
  -n "pyhanko sign x2" "$pyhanko_sign" \
  -n "sha256sum output" "sha256sum $OUT/copy.pdf"

echo "== verify ($RUNS runs each)"
hyperfine --style basic --runs "$RUNS" --warmup 1 --export-json "$OUT/verify.json" \
  -n "certcopy verify" "$verify_ours" \
  -n "pyhanko validate" "$verify_pyhanko" \
  -n "pdfsig" "$verify_pdfsig" \
  -n "sha256sum copy" "sha256sum $OUT/copy.pdf"

# Peak resident memory (ru_maxrss of the child) of one run of each of our commands.
python3 - "$OUT" "$issue_cmd" "$verify_ours" <<'EOF' >"$OUT/memory.txt"
import os, resource, shlex, subprocess, sys
out, issue, verify = sys.argv[1], sys.argv[2], sys.argv[3]
def peak(command):
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.execvp("sh", ["sh", "-c", "exec " + command])
    _, status, usage = os.wait4(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, command
    return usage.ru_maxrss * 1024
size = os.path.getsize(os.path.join(out, "copy.pdf"))
print(size, peak(issue), peak(verify))
EOF

cd "$ROOT"
if [ "${SKIP_CRITERION:-0}" != 1 ]; then
  echo "== in process (criterion)"
  cargo bench --quiet --bench issue --bench verify -- --noplot >"$OUT/criterion.txt" 2>&1 \
    || { cat "$OUT/criterion.txt"; exit 1; }
fi

python3 - "$OUT" "$TARGET/criterion" "${SKIP_CRITERION:-0}" <<'EOF'
import json, os, sys
out, criterion, skip = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
def means(name):
    with open(os.path.join(out, name)) as f:
        return {r["command"]: r["mean"] for r in json.load(f)["results"]}
def ms(seconds):
    return f"{seconds * 1000:8.1f} ms"
issue, verify = means("issue.json"), means("verify.json")
size, issue_rss, verify_rss = map(int, open(os.path.join(out, "memory.txt")).read().split())
ours = issue["certcopy issue"]
print("\nissue (whole commands, mean)")
for name, t in issue.items():
    print(f"  {name:18} {ms(t)}")
print(f"  pyHanko / certcopy issue   = {issue['pyhanko sign x2'] / ours:6.1f}x   (target >= 10x)")
print(f"  certcopy issue / sha256sum = {ours / issue['sha256sum output']:6.1f}x   (target <= 10x)")
print(f"  peak RSS {issue_rss / 2**20:.1f} MiB for a {size / 2**20:.1f} MiB copy = {issue_rss / size:.2f}x   (target <= 3x)")
ours = verify["certcopy verify"]
print("\nverify (whole commands, mean)")
for name, t in verify.items():
    print(f"  {name:18} {ms(t)}")
print(f"  pyHanko / certcopy verify  = {verify['pyhanko validate'] / ours:6.1f}x   (target >= 20x)")
print(f"  pdfsig / certcopy verify   = {verify['pdfsig'] / ours:6.1f}x   (target >= 2x)")
print(f"  peak RSS of certcopy verify {verify_rss / 2**20:.1f} MiB = {verify_rss / size:.2f}x the copy")
if not skip:
    def estimate(group, function):
        path = os.path.join(criterion, group, function, "new", "estimates.json")
        with open(path) as f:
            return json.load(f)["mean"]["point_estimate"] / 1e9
    print("\nin process (criterion, mean)")
    sha = estimate("issue", "sha256_of_output")
    both = estimate("issue", "assemble_and_sign_twice")
    print(f"  SHA-256 of the copy     {ms(sha)}")
    print(f"  assemble                {ms(estimate('issue', 'assemble'))}")
    print(f"  assemble + sign twice   {ms(both)}  = {both / sha:.1f}x SHA-256")
    sha = estimate("verify", "sha256")
    ver = estimate("verify", "verify_pdf")
    print(f"  verify_pdf              {ms(ver)}  = {ver / sha:.2f}x SHA-256   (target <= 1.5x)")
EOF
