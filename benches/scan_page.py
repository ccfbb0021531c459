"""One A5-sized page at 100 dpi with text-like strokes, as a JPEG: the scan the load
benchmarks issue a copy from (Pillow comes with pikepdf). Usage: scan_page.py OUT.jpg"""
import sys

from PIL import Image, ImageDraw

image = Image.new("L", (827, 1169), 250)
draw = ImageDraw.Draw(image)
for row in range(80, 1000, 28):
    draw.line((70, row, 760 - (row * 7) % 200, row), fill=40, width=3)
image.save(sys.argv[1], quality=85)
