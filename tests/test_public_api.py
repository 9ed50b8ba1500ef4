"""The curated public API (`kneedrive.__all__`), and that importing it (and the CLI) stays cheap."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

import kneedrive

PUBLIC = [
    "Analysis",
    "InputError",
    "KneedriveError",
    "NotEnoughMotionError",
    "PoseBackend",
    "PoseEstimate",
    "PoseSequence",
    "VideoOptions",
    "VideoPose",
    "analyze",
    "analyze_views",
    "estimate_pose",
    "find_people",
    "load_keypoints",
    "write_keypoints_csv",
]

#: Libraries that take a noticeable part of a second to import; none may load with `import kneedrive`.
HEAVY = (
    "numpy", "scipy", "matplotlib", "cv2", "av", "ai_edge_litert", "jinja2", "jsonschema", "PIL", "icalendar", "dask",
    "distributed",
)  # fmt: skip


def test_the_exported_names_are_pinned() -> None:
    assert kneedrive.__all__ == PUBLIC  # a change here is a change of the public API: say so in the README


@pytest.mark.parametrize("name", PUBLIC)
def test_every_exported_name_resolves_to_its_definition(name: str) -> None:
    value = getattr(kneedrive, name)
    assert value is getattr(importlib.import_module(value.__module__), name)
    assert name in dir(kneedrive)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'analyse'"):
        kneedrive.analyse  # noqa: B018


def _loaded_after(statement: str) -> list[str]:
    """The heavy libraries loaded by `statement` in a fresh interpreter."""
    probe = f"import sys, json; {statement}; print(json.dumps(sorted(set(m.split('.')[0] for m in sys.modules))))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return [m for m in json.loads(done.stdout) if m in HEAVY]


@pytest.mark.parametrize(
    "statement",
    [
        "import kneedrive",
        "import kneedrive.cli",
        "import kneedrive.pose",
        "from kneedrive.pose.options import VideoOptions",
    ],
)
def test_imports_load_no_heavy_library(statement: str) -> None:
    assert _loaded_after(statement) == []


def test_a_keypoint_analysis_loads_no_video_stack_and_no_report() -> None:
    loaded = _loaded_after(
        "import kneedrive; from kneedrive.drills.sprinter import SprinterModel, synthesize; "
        "kneedrive.analyze(synthesize(SprinterModel(), duration_s=1.5).sequence, athlete_height_m=1.8)"
    )
    assert "scipy" in loaded
    assert not {"cv2", "av", "ai_edge_litert", "matplotlib", "jinja2", "PIL"} & set(loaded)
