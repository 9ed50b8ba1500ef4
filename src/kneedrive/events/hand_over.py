"""A label hand-over where the legs cross: the pose model slides each foot's label onto the other foot for a
few frames and back (the slowed real jog, frames 164-173 and 243-250). The stance foot's label seems to lift
off and the swing foot's to land on its spot; the frame-to-frame swap search cannot see it (both labellings
move smoothly), and the contact detector would find the stance foot landing twice. Such a split contact is
one contact (`kneedrive.events.contacts`)."""

from __future__ import annotations

import itertools

import numpy as np

from ..kinematics.result import Array
from .model import SIDES, STEP_RATE_HZ, ContactPhase, Side, other

#: A foot's swing takes at least this share of its stride (running 0.6-0.8, walking about 0.4: Novacheck
#: 1998, Gait & Posture 7:77). A shorter "swing" in the middle of a contact, in which the two feet's
#: lowest points pass through each other, is the pose model handing one foot's label to the other where
#: the legs cross (the slowed jog: the stance foot "lifted" for 6 of a 70-frame stride while the swing
#: foot "landed" on its spot, a touchdown too many). The contact goes on through it.
MIN_SWING_SHARE = 0.25
#: The feet meet when their lowest points come this close (leg lengths), between frames included; a real
#: swing passes the stance foot higher (a hop in a skip: the other foot is up at the knee drive). And they
#: change places twice in the gap (see _crossings).
FEET_MEET_LEGS = 0.1
#: ... and the foot stands within this distance (leg lengths) of where it stood (lowest) before: a stance foot does
#: not move over the ground (on the slowed jog 0.3, the ground frame drifting), a landing after a real swing
#: is a step or more away (1.3 legs walking, 2.4 sprinting), and so is the other foot that a label swapped
#: in flight jumps to.
SAME_SPOT_LEGS = 0.5


def stride_frames(step_frequency_hz: float | None, fps_hz: float) -> float:
    """The stride (frames) a swing is measured against: two steps at the estimated step rate, or, without an
    estimate, the quickest stride a runner has (STEP_RATE_HZ): a "swing" shorter than MIN_SWING_SHARE of
    even that is none, whatever the runner. (Without a rate no hand-over was recognised: the slowed real
    jog's analysed part, 180 rows, is too short for the rate's estimate (kinematics.clean
    .dominant_frequency_hz wants 1.2 cycles of a 0.7 Hz stride) from 105 fps on, and there each foot landed
    twice 0.12 s apart where the legs cross; it is 7 and 5 rows of a 10-row bound at 108 fps.)"""
    if step_frequency_hz:
        return 2.0 * fps_hz / step_frequency_hz
    return 2.0 * fps_hz / STEP_RATE_HZ[1]


def _lowest(height: Array, part: ContactPhase) -> int:
    """The frame of a contact's part where the foot is lowest: where it stands, away from a hand-over's blend."""
    return part.start + int(np.nanargmin(height[part.start : part.end + 1]))


def hand_overs(
    phases: dict[Side, list[ContactPhase]],
    lows: dict[Side, Array],
    heights: dict[Side, Array],
    stride_frames: float,
) -> list[tuple[ContactPhase, ContactPhase, list[ContactPhase]]]:
    """Contacts of one foot split by a label hand-over where the legs cross (MIN_SWING_SHARE,
    FEET_MEET_LEGS, SAME_SPOT_LEGS; `stride_frames`: see `stride_frames`): (the part before, the part after, the
    other foot's contacts inside the hand-over: the stance foot under its label)."""
    out = []
    for side in SIDES:
        for before, after in itertools.pairwise(phases[side]):
            if after.start - before.end - 1 >= MIN_SWING_SHARE * stride_frames:
                continue  # a real swing
            spot = lows[side][_lowest(heights[side], after)] - lows[side][_lowest(heights[side], before)]
            foot, others = lows[side], lows[other(side)]
            if (
                float(np.hypot(*spot)) <= SAME_SPOT_LEGS
                and _feet_meet(foot, others, before.end, after.start)
                and _crossings(foot, others, before.end, after.start) >= 2
            ):
                inside = [q for q in phases[other(side)] if q.start >= before.end - 1 and q.end <= after.start + 1]
                out.append((before, after, inside))
    return out


def joined_contacts(
    phases: dict[Side, list[ContactPhase]], hand_overs: list[tuple[ContactPhase, ContactPhase, list[ContactPhase]]]
) -> dict[Side, list[tuple[ContactPhase, ContactPhase, ContactPhase]]]:
    """Each foot's contacts as (the whole contact, its first part, its last part): the parts of a contact
    split by hand-overs joined, the other foot's contacts inside a hand-over left out."""
    follows = {before: after for before, after, _ in hand_overs}
    joined = set(follows.values()) | {q for _, _, inside in hand_overs for q in inside}
    out: dict[Side, list[tuple[ContactPhase, ContactPhase, ContactPhase]]] = {}
    for side, own in phases.items():
        out[side] = []
        for phase in own:
            if phase in joined:
                continue
            last = phase
            while last in follows:
                last = follows[last]
            out[side].append((ContactPhase(side, phase.start, last.end), phase, last))
    return out


def _crossings(a: Array, b: Array, lo: int, hi: int) -> int:
    """How often the two points change places front to back over frames lo..hi: a hand-over swaps the
    labels and swaps them back (twice), a label that jumps onto the other foot and stays (the GaitLab
    treadmill's hidden far foot) or a swing that passes the stance foot changes their order once."""
    ahead = np.sign((a[:, 0] - b[:, 0])[lo : hi + 1])
    ahead = ahead[np.isfinite(ahead) & (ahead != 0)]
    return int(np.sum(ahead[1:] != ahead[:-1]))


def _feet_meet(a: Array, b: Array, lo: int, hi: int) -> bool:
    """The two points' closest approach over frames lo..hi, moving in a straight line between frames, is
    within FEET_MEET_LEGS."""
    gap = (a - b)[lo : hi + 1]
    gap = gap[np.all(np.isfinite(gap), axis=1)]
    for p, q in itertools.pairwise(gap):
        step = q - p
        share = float(np.clip(-np.dot(p, step) / max(float(np.dot(step, step)), 1e-12), 0.0, 1.0))
        if float(np.hypot(*(p + share * step))) <= FEET_MEET_LEGS:
            return True
    return len(gap) == 1 and float(np.hypot(*gap[0])) <= FEET_MEET_LEGS
