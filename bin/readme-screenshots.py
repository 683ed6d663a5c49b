"""Copies a few of the browser journey's screenshots into docs/screenshots/ for the README,
cropped to the first screen and saved as small WebP files.

Run the journey first (it writes artifacts/e2e/<viewport>/NN-<step>.png):
    .venv/bin/python -m pytest tests/e2e/test_journey.py -n 0
    .venv/bin/python bin/readme-screenshots.py
"""

import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "artifacts" / "e2e"
OUT = ROOT / "docs" / "screenshots"
# (viewport, journey step, file name, height of the first screen in CSS pixels)
CHOSEN = [("phone", "landing", "landing-phone.webp", 844),
          ("desktop", "results", "studio-results-desktop.webp", 900),
          ("desktop", "gallery", "gallery-desktop.webp", 900)]
MAX_WIDTH = 1000


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for viewport, step, name, height in CHOSEN:
        found = sorted((SHOTS / viewport).glob(f"[0-9][0-9]-{step}.png"))
        if not found:
            print(f"No {viewport} screenshot of '{step}': run the journey first.")
            return 1
        with Image.open(found[-1]) as shot:
            first_screen = shot.crop((0, 0, shot.width, min(shot.height, height)))
            if first_screen.width > MAX_WIDTH:
                ratio = MAX_WIDTH / first_screen.width
                first_screen = first_screen.resize(
                    (MAX_WIDTH, round(first_screen.height * ratio)), Image.Resampling.LANCZOS)
            first_screen.convert("RGB").save(OUT / name, "WEBP", quality=78, method=6)
        print(f"{OUT / name}: {(OUT / name).stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
