#!/usr/bin/env bash
# Seeds for the verify_pdf fuzz target, in tests/fuzz/corpus/verify_pdf (not committed):
# a small copy as the service issues it, the same copy unsigned, and copies signed by
# pyHanko with RSA and ECDSA keys of the test PKI (fixtures/pki).
set -euo pipefail
cd "$(dirname "$0")/../.."
SEEDS=tests/fuzz/corpus/verify_pdf
mkdir -p "$SEEDS"
WORK=$(mktemp -d)
cargo run --quiet --release --example bench_inputs -- small "$WORK"
cp "$WORK/copy.pdf" "$SEEDS/certcopy-copy.pdf"
cp "$WORK/unsigned.pdf" "$SEEDS/unsigned.pdf"
PKI=fixtures/pki
for key in signer-rsa signer-ecdsa; do
  pyhanko sign addsig --use-pades --field Sig1 pemder --no-pass \
    --key "$PKI/$key.key" --cert "$PKI/$key.crt" --chain "$PKI/justice-ca.crt" \
    "$WORK/unsigned.pdf" "$SEEDS/pyhanko-$key.pdf" >/dev/null
done
rm -rf "$WORK"
ls -l "$SEEDS"
