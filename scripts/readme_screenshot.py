"""Make docs/report-dorn.png: the top of the HTML report of the real Dorn et al. (2012) sprint.

Run from the repository root: `.venv/bin/python scripts/readme_screenshot.py` (needs chromium and
../shared/data). The page is rendered exactly as `kneedrive analyze ... --out` renders it.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.chromium import Chromium  # noqa: E402
from tests.realdata import PX_PER_M, dorn_sequence  # noqa: E402

import kneedrive  # noqa: E402
from kneedrive.report.export import write_outputs  # noqa: E402

WIDTH_PX, HEIGHT_PX = 860, 1900


def main() -> None:
    analysis = kneedrive.analyze(dorn_sequence("JA1Gait35"), px_per_m=PX_PER_M)
    target = ROOT / "docs" / "report-dorn.png"
    with tempfile.TemporaryDirectory() as tmp:
        write_outputs(analysis.record, analysis.sequence, Path(tmp))
        with Chromium(width_px=WIDTH_PX, height_px=HEIGHT_PX, mobile=False) as chromium:
            requests = chromium.load((Path(tmp) / "report.html").as_uri())
            assert len(requests) == 1, requests
            chromium.screenshot(target, max_height_px=HEIGHT_PX)
    print(f"wrote {target} ({target.stat().st_size // 1024} kB)")


if __name__ == "__main__":
    main()
