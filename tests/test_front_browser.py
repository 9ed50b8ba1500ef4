"""The report's front-view block in headless Chromium (Debian's package) at phone width: present, readable,
showing the measured figures, with the key frames of the worst knee FPPA and pelvic drop per side, and
nothing wider than the screen; for a front clip alone and for a side and a front clip of one session.
Screenshots go to test-artifacts/ (gitignored)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kneedrive
from kneedrive.drills.camera import Artefacts
from kneedrive.drills.front_model import FrontFaults, FrontRunModel, synthesize_front_run, with_front_faults
from kneedrive.drills.sprinter import SprinterModel, synthesize, with_faults
from kneedrive.metrics.registry import registry
from kneedrive.report.export import write_outputs

from .chromium import Chromium

pytestmark = pytest.mark.slow  # Chromium

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
PHONE_WIDTH_PX = 390
FAULTS = ("knee_valgus", "pelvic_drop")

#: Run in the page: what a reader of the front-view block sees.
FRONT_FACTS = r"""(() => {
  const block = document.getElementById('front-view');
  if (!block) return null;
  const wrap = block.querySelector('.table-wrap'), table = block.querySelector('table.front-figures');
  const rows = [...table.querySelectorAll('tr')].slice(1).map(r => [...r.cells].map(c => c.textContent.trim()));
  const everything = [...block.querySelectorAll('*')];
  const frames = [...block.querySelectorAll('figure.keyframe')].map(f => {
    const svg = f.querySelector('svg'), r = svg.getBoundingClientRect(), cap = f.querySelector('figcaption');
    const lines = [...svg.querySelectorAll('line')].map(l => l.getBoundingClientRect());
    const drawn = lines.filter(b => Math.hypot(b.width, b.height) > 3);
    const top = Math.min(...drawn.map(b => b.top)), bottom = Math.max(...drawn.map(b => b.bottom));
    return {kind: f.dataset.kind, side: f.dataset.side, width: r.width, height: r.height, right: r.right,
            bones: drawn.length, figureHeight: bottom - top, caption: cap.textContent.replace(/\s+/g, ' ').trim(),
            captionClipped: cap.scrollWidth > cap.clientWidth + 1};
  });
  return {
    innerWidth: window.innerWidth, scrollWidth: document.documentElement.scrollWidth,
    note: block.querySelector('p.note').textContent,
    header: [...table.querySelectorAll('th')].map(c => c.textContent.trim()),
    rows: rows,
    tableFits: table.scrollWidth <= wrap.clientWidth,
    widest: Math.max(...everything.map(e => e.getBoundingClientRect().right)),
    smallestFontPx: Math.min(...everything.filter(e => e.textContent.trim())
      .map(e => parseFloat(getComputedStyle(e).fontSize))),
    frames: frames,
    frontFaults: [...document.querySelectorAll('#faults .fault')].map(f => ({id: f.id,
      frontSticks: f.querySelectorAll('svg.front-stick').length, text: f.textContent.replace(/\s+/g, ' ')})),
  };
})()"""


def _front(fps_hz: float = 60.0) -> kneedrive.Analysis:
    model = FrontRunModel(faults=with_front_faults(FrontFaults(), *FAULTS))
    return kneedrive.analyze(synthesize_front_run(model, fps_hz=fps_hz, artefacts=Artefacts(jitter_px=1.0)).sequence)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, kneedrive.Analysis]]:
    root = tmp_path_factory.mktemp("front-reports")
    front = _front()
    side = synthesize(with_faults(SprinterModel(), "overstride"), fps_hz=120.0).sequence
    session = kneedrive.analyze_views(side, synthesize_front_run(
        FrontRunModel(faults=with_front_faults(FrontFaults(), *FAULTS)), fps_hz=60.0).sequence
    )  # fmt: skip
    out = {}
    for name, analysis in (("front", front), ("session", session)):
        clip = analysis.front_clip
        write_outputs(
            analysis.record, analysis.sequence, root / name, front_sequence=None if clip is None else clip.sequence
        )
        out[name] = (root / name / "report.html", analysis)
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    with Chromium(width_px=PHONE_WIDTH_PX, height_px=844, mobile=True) as chromium:
        yield chromium


def _number(cell: str) -> float:
    return float(cell.replace("\u2212", "-"))


@pytest.mark.parametrize("name", ["front", "session"])
def test_the_front_view_block_is_readable_at_phone_width(
    browser: Chromium, pages: dict[str, tuple[Path, kneedrive.Analysis]], name: str
) -> None:
    page, analysis = pages[name]
    browser.load(page.as_uri())
    facts: dict[str, Any] | None = browser.evaluate(FRONT_FACTS)
    assert facts is not None, "no front-view block"
    browser.evaluate("document.getElementById('front-view').scrollIntoView()")
    browser.screenshot(ARTIFACTS / f"report-front-{name}-{PHONE_WIDTH_PX}px.png", full_page=False)
    (ARTIFACTS / f"report-front-{name}-dom.json").write_text(json.dumps(facts, indent=1))

    record = analysis.record.front_clip or analysis.record
    front = record.front
    assert front is not None
    # nothing wider than the phone: no sideways scrolling of the page or the table, legible text
    assert facts["innerWidth"] == PHONE_WIDTH_PX
    assert facts["scrollWidth"] <= PHONE_WIDTH_PX and facts["widest"] <= PHONE_WIDTH_PX + 0.5, facts["widest"]
    assert facts["tableFits"] and facts["smallestFontPx"] >= 11
    # each figure the record holds, per side, as the registry labels it, showing the measured medians
    assert facts["header"] == ["figure", "left", "right", "unit"]
    shown = {row[0]: row for row in facts["rows"]}
    reg = registry()
    measured = [n for n in reg.names("front") if any(front.sides[s].get(n) is not None for s in ("left", "right"))]
    assert len(shown) == len(measured) >= 5
    for metric in measured:
        _, left, right, unit = shown[reg[metric].label]
        assert unit == reg[metric].display
        for cell, side in ((left, "left"), (right, "right")):
            value = front.sides[side][metric]
            assert value is not None and _number(cell) == pytest.approx(value * reg[metric].factor, abs=0.051), metric
    # the key frames: worst knee FPPA and worst pelvic drop on each side, each a visible front-view figure
    frames = facts["frames"]
    assert sorted((f["side"], f["caption"].split(" (")[0]) for f in frames) == sorted(
        (s, t) for s in ("left", "right") for t in ("Worst knee FPPA", "Worst pelvic drop")
    )
    for f in frames:
        assert f["width"] >= 140 and f["height"] >= 140 and f["right"] <= PHONE_WIDTH_PX, f
        assert f["bones"] >= 10 and f["figureHeight"] >= 0.5 * f["height"], f
        assert not f["captionClipped"] and "frame" in f["caption"], f
    # the front-view faults, each seen on front-view figures (and, in a session, named with their clip)
    faults = {f["id"]: f for f in facts["frontFaults"]}
    for fault in FAULTS:
        assert faults[f"fault-{fault}"]["frontSticks"] >= 1
    if name == "session":
        assert "From the front clip" in facts["note"]
        assert "fault-overstride" in faults and faults["fault-overstride"]["frontSticks"] == 0
        assert all(record.source[:20] in faults[f"fault-{fault}"]["text"] for fault in FAULTS)
