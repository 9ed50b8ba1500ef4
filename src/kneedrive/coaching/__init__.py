"""Coaching: the drill library, criteria and faults, self-assessment, plans and the session timer."""

from .criteria import Criterion, load_criteria
from .faults import Coaching, Fault, Praise, attach_coaching, find_faults
from .library import Exercise, Library, load_library

__all__ = [
    "Coaching",
    "Criterion",
    "Exercise",
    "Fault",
    "Library",
    "Praise",
    "attach_coaching",
    "find_faults",
    "load_criteria",
    "load_library",
]
