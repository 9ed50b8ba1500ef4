"""Segment lengths of a synthetic athlete, as fractions of standing height.

Winter (2009), Biomechanics and Motor Control of Human Movement, 4th ed., fig. 4.1, after
Drillis & Contini: hip (greater trochanter) 0.530 H, knee 0.285 H, ankle 0.039 H,
shoulder 0.818 H, elbow 0.630 H, wrist 0.485 H, foot length 0.152 H.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Body:
    height_m: float = 1.80

    @property
    def thigh_m(self) -> float:
        return 0.245 * self.height_m

    @property
    def shank_m(self) -> float:
        return 0.246 * self.height_m

    @property
    def leg_m(self) -> float:
        return self.thigh_m + self.shank_m

    @property
    def trunk_m(self) -> float:
        return 0.288 * self.height_m

    @property
    def upper_arm_m(self) -> float:
        return 0.188 * self.height_m

    @property
    def forearm_m(self) -> float:
        return 0.145 * self.height_m

    @property
    def foot_m(self) -> float:
        return 0.152 * self.height_m

    @property
    def ankle_height_m(self) -> float:
        return 0.039 * self.height_m

    @property
    def ankle_from_heel_m(self) -> float:
        """How far forward of the heel the ankle joint sits."""
        return 0.2 * self.foot_m
