"""Reports opened in headless Chromium (Debian's package): offline, complete, readable on a phone.

One browser for all pages. Every network request the page makes is recorded over the DevTools
protocol; a control page with an external image checks that the recording does see requests.
Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kneedrive
from kneedrive.drills.generator import synthesize_drill
from kneedrive.drills.keyframes import DrillSession
from kneedrive.report.export import write_outputs

from .chromium import Chromium
from .realdata import PX_PER_M, dorn_sequence, rbds_sequence

pytestmark = pytest.mark.slow  # Chromium and real data

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
PHONE_WIDTH_PX = 390

#: Run in the page: what a reader would see (JSON-serialisable facts about the rendered DOM).
DOM_FACTS = """(() => {
  const box = id => { const e = document.getElementById(id); if (!e) return null;
    const s = e.querySelector('svg'); if (!s) return {svg: false};
    const r = s.getBoundingClientRect(); return {svg: true, width: r.width, height: r.height,
      paths: s.querySelectorAll('path, line, rect, use').length}; };
  const frames = [...document.querySelectorAll('#key-frames figure.keyframe')].map(f => {
    const s = f.querySelector('svg'); const r = s ? s.getBoundingClientRect() : {width: 0, height: 0};
    return {kind: f.dataset.kind, side: f.dataset.side, width: r.width, height: r.height,
            bones: s ? s.querySelectorAll('line').length : 0}; });
  const external = [...document.querySelectorAll('[src], [href]')]
    .map(e => e.getAttribute('src') || e.getAttribute('href'))
    .filter(u => !(u.startsWith('#') || u.startsWith('data:')));
  return {
    scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
    angles: box('plot-angles'), steps: box('plot-steps'), trunk: box('plot-trunk'),
    cycleRate: box('plot-cycle-rate'),
    tables: [...document.querySelectorAll('.table-wrap')].map(w => ({id: w.querySelector('table').id,
      overflow: w.scrollWidth - w.clientWidth})),
    keyframes: frames, findings: document.querySelectorAll('#findings li').length,
    faults: document.querySelectorAll('#faults .fault').length,
    evidenceFigures: document.querySelectorAll('#faults figure.keyframe svg line').length,
    scripts: document.scripts.length, external: external,
    fonts: [...document.fonts].length,
    brokenLinks: [...document.querySelectorAll('a[href^="#"]')]
      .filter(a => !document.getElementById(a.getAttribute('href').slice(1))).length,
  };
})()"""


def _render(name: str, record: Any, sequence: Any, root: Path) -> Path:
    out = root / name
    write_outputs(record, sequence, out)
    return out / "report.html"


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, clean_sprint: Any) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("reports")
    demo = kneedrive.analyze(clean_sprint.sequence, athlete_height_m=1.8)
    dorn = kneedrive.analyze(dorn_sequence("JA1Gait35"), px_per_m=PX_PER_M)
    rbds = kneedrive.analyze(rbds_sequence(), px_per_m=PX_PER_M, treadmill_speed_mps=2.5)
    drill = synthesize_drill(DrillSession("single_leg_drive_through", rate_decay_pct=15.0), fps_hz=60.0)
    drive_through = kneedrive.analyze(drill.sequence, athlete_height_m=1.8)
    return {
        name: _render(name, a.record, a.sequence, root)
        for name, a in (
            ("demo", demo),
            ("dorn-sprint", dorn),
            ("rbds-treadmill", rbds),
            ("drive-through-drill", drive_through),
        )
    }


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    with Chromium(width_px=PHONE_WIDTH_PX, height_px=844, mobile=True) as chromium:
        yield chromium


def test_the_request_log_sees_external_requests(browser: Chromium, tmp_path: Path) -> None:
    control = tmp_path / "control.html"
    control.write_text('<!doctype html><img src="http://127.0.0.1:9/pixel.png"><p>control</p>')
    requests = browser.load(control.as_uri())
    assert "http://127.0.0.1:9/pixel.png" in requests


@pytest.mark.parametrize("name", ["demo", "dorn-sprint", "rbds-treadmill", "drive-through-drill"])
def test_report_loads_offline_with_plots_and_key_frames_at_phone_width(
    browser: Chromium, reports: dict[str, Path], name: str
) -> None:
    page = reports[name]
    requests = [r for r in browser.load(page.as_uri()) if not r.startswith("data:")]  # inline, not network
    assert requests == [page.as_uri()], f"the report made network requests: {requests}"
    facts = browser.evaluate(DOM_FACTS)
    browser.screenshot(ARTIFACTS / f"report-{name}-{PHONE_WIDTH_PX}px.png")
    (ARTIFACTS / f"report-{name}-dom.json").write_text(json.dumps(facts, indent=1))

    assert facts["scripts"] == 0 and facts["external"] == [] and facts["fonts"] == 0 and facts["brokenLinks"] == 0
    # no horizontal scrolling on a phone
    assert facts["innerWidth"] == PHONE_WIDTH_PX
    assert facts["scrollWidth"] <= facts["innerWidth"], facts
    # ... and the measurement tables fit without scrolling inside their boxes either (the runs table did not)
    assert facts["tables"] and all(t["overflow"] <= 0 for t in facts["tables"]), facts["tables"]
    # plots drawn, fitted to the screen (a drill has reps and cycles, no steps)
    drill = name == "drive-through-drill"
    assert (facts["steps"] is None) is drill
    if drill:  # the within-rep cycle rate (the reps slow down by 15 %)
        assert facts["cycleRate"]["svg"] and facts["cycleRate"]["width"] >= 300 and facts["cycleRate"]["paths"] > 20
    for plot in ("angles",) if drill else ("angles", "steps"):
        box = facts[plot]
        assert box is not None and box["svg"], (plot, box)
        assert 300 <= box["width"] <= PHONE_WIDTH_PX and box["height"] > 100 and box["paths"] > 20, (plot, box)
    if name == "rbds-treadmill":
        assert facts["trunk"] is None  # no shoulder markers: no trunk lean, and no empty plot
    else:
        assert facts["trunk"]["svg"] and facts["trunk"]["width"] >= 300
    # key moments, each side, each a visible stick figure: knee lift, touchdown, toe-off (a drill:
    # the drive, the top and the end of a cycle)
    moments = ("drive", "knee_lift", "cycle_end") if drill else ("knee_lift", "touchdown", "toe_off")
    kinds = {(f["side"], f["kind"]) for f in facts["keyframes"]}
    assert kinds == {(s, k) for s in ("left", "right") for k in moments}
    assert all(f["width"] >= 140 and f["height"] >= 140 and f["bones"] >= 10 for f in facts["keyframes"])
    # coaching faults (kneedrive.coaching), each with stick figures where it was seen; the headline's
    # findings are the top three faults, or without faults the comparisons with DOMAIN.md's values (a
    # 2.5 m/s jog has no speed-matched reference, so fewer can be compared)
    faults = json.loads((page.parent / "analysis.json").read_text()).get("faults") or []
    assert facts["faults"] == len(faults)
    assert facts["evidenceFigures"] > 0 or not faults
    if faults:
        assert facts["findings"] == min(3, len(faults))
    else:
        assert 1 <= facts["findings"] <= 3


SMAS_FACTS = r"""(() => {
  const table = document.querySelector('#smas table.smas');
  const box = e => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, width: r.width}; };
  const cells = table ? [...table.querySelectorAll('td')] : [];
  return {
    innerWidth: window.innerWidth, scrollWidth: document.documentElement.scrollWidth,
    rows: table ? table.querySelectorAll('tbody tr').length : 0,
    table: table ? box(table) : null,
    smallestFontPx: Math.min(...cells.map(c => parseFloat(getComputedStyle(c).fontSize))),
    verdicts: cells.filter(c => /^(fault|ok|not scored)/.test(c.textContent.trim())
      && ['fault-yes', 'fault-no', 'fault-na'].some(k => c.classList.contains(k))).length,
    total: (document.querySelector('#smas .smas-total') || {}).textContent || '',
    kinograms: [...document.querySelectorAll('#smas figure.kinogram')].map(f => {
      const img = f.querySelector('img'); const r = img.getBoundingClientRect();
      const scroller = f.querySelector('.scroll').getBoundingClientRect();
      return {side: f.dataset.side, loaded: img.complete && img.naturalWidth > 0, natural: img.naturalWidth,
              width: r.width, scale: r.width / img.naturalWidth, scrollerRight: scroller.right}; }),
  };
})()"""


@pytest.mark.parametrize("name", ["demo", "dorn-sprint"])
def test_the_smas_table_and_both_kinograms_are_readable_at_phone_width(
    browser: Chromium, reports: dict[str, Path], name: str
) -> None:
    page = reports[name]
    browser.load(page.as_uri())
    facts = browser.evaluate(SMAS_FACTS)
    (ARTIFACTS / f"report-{name}-smas.json").write_text(json.dumps(facts, indent=1))
    doc = json.loads((page.parent / "analysis.json").read_text())
    assert facts["rows"] == len(doc["smas"]["items"]) == 12
    assert facts["verdicts"] == 24  # left and right for each item: fault / ok / not scored
    assert f"S-MAS {doc['smas']['total']} of {doc['smas']['scored']}" in facts["total"]
    assert doc["smas"]["band"] in facts["total"]
    # the table fits the phone (no sideways scrolling) with legible text
    assert facts["scrollWidth"] <= facts["innerWidth"] == PHONE_WIDTH_PX
    assert facts["table"]["right"] <= PHONE_WIDTH_PX and facts["smallestFontPx"] >= 11
    # both kinograms, decoded, shown at >= 80 % of their own size inside a swipeable box on the screen
    assert {k["side"] for k in facts["kinograms"]} == {"left", "right"}
    for k in facts["kinograms"]:
        assert k["loaded"] and k["natural"] >= 1000 and k["scale"] >= 0.78, k
        assert k["scrollerRight"] <= PHONE_WIDTH_PX, k
    for side in ("left", "right"):
        assert (page.parent / f"kinogram_{side}.png").stat().st_size > 10_000


def test_saved_analyses_and_reports_stay_small(reports: dict[str, Path]) -> None:
    """30 s of 150 fps treadmill running: the series is decimated to 75 Hz and long time plots are
    windowed, so neither file grows with the clip beyond what a phone opens quickly."""
    rbds = reports["rbds-treadmill"].parent
    doc = json.loads((rbds / "analysis.json").read_text())
    assert doc["series"]["rate_hz"] == pytest.approx(75.0)
    assert (rbds / "analysis.json").stat().st_size < 800_000
    assert max(p.stat().st_size for p in reports.values()) < 400_000
