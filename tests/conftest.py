from __future__ import annotations

import pytest

from kneedrive.drills.sprinter import SprinterModel, Synthetic, synthesize


@pytest.fixture(scope="session")
def clean_sprint() -> Synthetic:
    return synthesize(SprinterModel(), fps_hz=240.0, duration_s=2.5)
