"""Coaching: the drill library, criteria and faults, self-assessment, plans and the session timer."""

from .criteria import Criterion, load_criteria
from .faults import Coaching, Fault, Judged, Praise, find_faults
from .library import Exercise, Library, load_library

__all__ = [
    "Coaching",
    "Criterion",
    "Exercise",
    "Fault",
    "Judged",
    "Library",
    "Praise",
    "find_faults",
    "load_criteria",
    "load_library",
]
