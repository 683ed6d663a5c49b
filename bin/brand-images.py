"""Draws the brand's raster files: favicon.ico, apple-touch-icon.png and the social card.

Run once after changing the brand; the outputs are committed. Needs the WOFF (zlib) files of
@fontsource/playfair-display and @fontsource/inter, because Pillow cannot read WOFF2:
    npm install --prefix /tmp/fonts @fontsource/playfair-display @fontsource/inter
    .venv/bin/python bin/brand-images.py /tmp/fonts/node_modules
"""

import io
import sys
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
INK, PAPER, CANVAS = "#141210", "#ffffff", "#f6f3ee"
SAND, ACCENT, MUTED = "#e9e2d6", "#8a6f4e", "#6b665f"


def font(modules: Path, package: str, name: str, size: int) -> ImageFont.FreeTypeFont:
    woff = TTFont(modules / "@fontsource" / package / "files" / name)
    woff.flavor = None  # WOFF -> plain TrueType, which FreeType reads
    buf = io.BytesIO()
    woff.save(buf)
    buf.seek(0)
    return ImageFont.truetype(buf, size)


def monogram(modules: Path, side: int) -> Image.Image:
    img = Image.new("RGB", (side, side), INK)
    draw = ImageDraw.Draw(img)
    face = font(modules, "playfair-display", "playfair-display-latin-400-normal.woff",
                round(side * 0.78))
    draw.text((side / 2, side * 0.53), "S", font=face, fill=PAPER, anchor="mm")
    return img


def social_card(modules: Path) -> Image.Image:
    card = Image.new("RGB", (1200, 630), CANVAS)
    draw = ImageDraw.Draw(card)
    # Three portrait frames, drawn (no stock photo): a head and shoulders in soft tones.
    for i, (x, tone) in enumerate([(700, "#d9cfc0"), (850, "#cbbba5"), (1000, "#e4dccf")]):
        top = 120 + (i % 2) * 50
        draw.rectangle((x, top, x + 150, top + 200 + 60), fill=tone)
        cx = x + 75
        draw.ellipse((cx - 30, top + 60, cx + 30, top + 130), fill=SAND)
        draw.pieslice((cx - 62, top + 150, cx + 62, top + 290), 180, 360, fill=SAND)
    serif = font(modules, "playfair-display", "playfair-display-latin-400-normal.woff", 64)
    sans = font(modules, "inter", "inter-latin-400-normal.woff", 28)
    brand = font(modules, "inter", "inter-latin-500-normal.woff", 26)
    draw.text((80, 90), "SSELFIE Studio", font=brand, fill=ACCENT)
    draw.multiline_text((80, 170), "Professional\nphotos of you.\nWithout the shoot.",
                        font=serif, fill=INK, spacing=14)
    draw.text((80, 470), "10 selfies in. A private model of your face.", font=sans, fill=MUTED)
    draw.text((80, 512), "Editorial, lifestyle and luxury portraits out.", font=sans,
              fill=MUTED)
    return card


def main() -> None:
    modules = Path(sys.argv[1])
    webroot = ROOT / "sselfie" / "webroot"
    static = ROOT / "sselfie" / "static" / "sselfie"
    monogram(modules, 64).save(webroot / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    monogram(modules, 180).save(webroot / "apple-touch-icon.png", optimize=True)
    social_card(modules).save(static / "social-card.png", optimize=True)


if __name__ == "__main__":
    main()
