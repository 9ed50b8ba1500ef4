"""Events stage: Kinematics -> touchdown / toe-off per foot."""

from .contacts import ContactDetector
from .ground import GroundLine
from .model import SIDES, GaitEvent, Side

__all__ = ["SIDES", "ContactDetector", "GaitEvent", "GroundLine", "Side"]
