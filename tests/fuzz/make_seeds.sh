#!/usr/bin/env bash
# Seeds for the fuzz targets, in tests/fuzz/corpus/ (not committed). verify_pdf: a small
# copy as the service issues it, the same copy unsigned, and copies signed by pyHanko with
# RSA and ECDSA keys of the test PKI (fixtures/pki). scan_intake: the small JPEGs of
# fixtures/jpeg (every sampling layout, restart markers, progressive) and three A4 pages at
# 72 dpi drawn with Pillow.
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
mkdir -p tests/fuzz/corpus/scan_intake
cp fixtures/jpeg/*.jpg tests/fuzz/corpus/scan_intake/
# A4 pages at 72 dpi: large enough for the statement to be tried in the bottom margin, so
# assembly runs the band decoder on them (the fixtures above are too small for that).
python3 - tests/fuzz/corpus/scan_intake <<'PY'
import random, sys
from PIL import Image, ImageDraw
rng = random.Random(7)
page = Image.new("RGB", (595, 842), (252, 250, 245))
draw = ImageDraw.Draw(page)
for row in range(60, 260, 14):
    x = 50
    while x < 520:
        word = rng.randrange(10, 40)
        draw.rectangle((x, row, x + word, row + 6), fill=(30, 30, 40))
        x += word + 8
blank_foot = page.copy()
draw.text((290, 800), "1", fill=(0, 0, 0))
out = sys.argv[1]
page.save(f"{out}/a4-72dpi-420-page-number.jpg", "JPEG", quality=40, dpi=(72, 72), subsampling=2)
blank_foot.save(f"{out}/a4-72dpi-444-restart.jpg", "JPEG", quality=40, dpi=(72, 72),
                subsampling=0, restart_marker_blocks=5)
blank_foot.convert("L").save(f"{out}/a4-72dpi-gray.jpg", "JPEG", quality=40, dpi=(72, 72))
PY
ls -l tests/fuzz/corpus/scan_intake | tail -5
