"""Left from right by the alternation of the touchdowns (events.alternation)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scipy.signal import find_peaks

from kneedrive.drills.sprinter import SprinterModel, Synthetic, synthesize
from kneedrive.events import ContactDetector, GaitEvent
from kneedrive.events.alternation import alternation_share, side_flips, tell_sides_apart
from kneedrive.kinematics import Kinematics, compute_kinematics
from kneedrive.sequence import PoseSequence

LEGS = ("hip", "knee", "ankle", "heel", "foot_index")


FPS = 240.0


@pytest.fixture(scope="module")
def sprint() -> Synthetic:
    return synthesize(SprinterModel(), fps_hz=FPS, duration_s=3.0)


def _exchanged(seq: PoseSequence, lo: int, hi: int) -> PoseSequence:
    """The sequence with the legs' labels exchanged in rows lo..hi-1 (a pose model's identity flip)."""
    xy = np.array(seq.xy)
    for j in LEGS:
        a, b = seq.names.index(f"left_{j}"), seq.names.index(f"right_{j}")
        xy[lo:hi, a], xy[lo:hi, b] = seq.xy[lo:hi, b], seq.xy[lo:hi, a]
    return seq.replace(xy=xy)


def _apart_most(seq: PoseSequence) -> np.ndarray:
    """Rows where the ankles are furthest apart (in flight: a pose model's identity flip there is a jump the
    frame-to-frame swap search would catch, so it is built without it)."""
    rows, _ = find_peaks(np.abs(seq.point("left_ankle")[:, 0] - seq.point("right_ankle")[:, 0]))
    return rows


def _touchdowns(events: list[GaitEvent]) -> list[GaitEvent]:
    return sorted((e for e in events if e.kind == "touchdown"), key=lambda e: e.time_s)


def _unswapped(seq: PoseSequence, rows: np.ndarray | None = None) -> Kinematics:
    """Kinematics without the frame-to-frame swap search: an identity flip it would catch stays in."""
    return compute_kinematics(seq, fix_swaps=False, legs_exchanged=rows)


def test_alternating_touchdowns_need_no_relabelling(sprint: Synthetic) -> None:
    kin = _unswapped(sprint.sequence)
    events, _ = ContactDetector().detect(kin)
    assert alternation_share(events) == 1.0
    assert side_flips(kin, events) is None


def test_a_stretch_with_the_legs_exchanged_is_found_and_undone(sprint: Synthetic) -> None:
    apart = _apart_most(sprint.sequence)
    lo, hi = int(apart[4]), int(apart[7])  # three steps' worth
    flipped = _exchanged(sprint.sequence, lo, hi)
    kin = _unswapped(flipped)
    events, _ = ContactDetector().detect(kin)
    assert alternation_share(events) < 1.0  # the exchanged stretch breaks the alternation twice

    def detect(k: Kinematics) -> list[GaitEvent]:
        return ContactDetector().detect(k)[0]

    told = tell_sides_apart(kin, events, lambda e: e, lambda rows: _unswapped(flipped, rows), detect)
    assert told.flips is not None and told.flips.stretches == 1
    assert alternation_share(told.detected) == 1.0
    relabelled = np.flatnonzero(told.flips.rows)
    # relabelled where the legs cross next to the flip's ends (a quarter step at most from them)
    quarter = round(0.25 * FPS / 4.3)
    assert abs(int(relabelled[0]) - lo) <= quarter and abs(int(relabelled[-1]) + 1 - hi) <= quarter
    clean = _touchdowns(detect(_unswapped(sprint.sequence)))
    fixed = _touchdowns(told.detected)
    assert [e.side for e in fixed] == [e.side for e in clean]
    assert np.allclose([e.time_s for e in fixed], [e.time_s for e in clean], atol=1.5 / FPS)


def _events(sides: str, times_s: list[float]) -> list[GaitEvent]:
    names = {"l": "left", "r": "right"}
    return [
        GaitEvent(side=names[s], kind="touchdown", frame=round(t * FPS), time_s=t)  # type: ignore[arg-type]
        for s, t in zip(sides, times_s, strict=True)
    ]


def test_a_missed_touchdown_keeps_the_foot_and_a_phantom_is_stepped_over(sprint: Synthetic) -> None:
    kin = _unswapped(sprint.sequence)
    step = 0.2
    # l r l [r missed] l r l r l: two steps from 0.4 to 0.8 on the same foot is right
    times = [0.0, 0.2, 0.4, 0.8, 1.0, 1.2, 1.4, 1.6]
    assert side_flips(kin, _events("lrllrlrl", times)) is None
    # a phantom right landing 0.08 s after a left one, the next left one step later: nothing to relabel
    times = [0.0, 0.2, 0.4, 0.48, 0.6, 0.8, 1.0, 1.2, 1.4]
    assert side_flips(kin, _events("lrlrrlrlr", times)) is None
    # the same foot twice one step apart, three times in a row a step apart: the stretch is relabelled
    times = [k * step for k in range(10)]
    flips = side_flips(kin, _events("lrlrrlrrlr", times))
    assert flips is not None and flips.stretches == 1
    # relabelled from a crossing between 0.6 and 0.8 s to one between 1.2 and 1.4 s
    assert flips.rows[round(0.8 * FPS) : round(1.2 * FPS) + 1].all()
    assert not flips.rows[: round(0.6 * FPS) + 1].any() and not flips.rows[round(1.4 * FPS) :].any()


def test_a_phantom_soon_after_a_landing_does_not_carry_the_foot(sprint: Synthetic) -> None:
    """A phantom right landing 0.3 of a step after a left one (the next left comes one step after that left
    one): stepped over, not a chain break that then dictates the next real landing's foot."""
    kin = _unswapped(sprint.sequence)
    times = [0.0, 0.2, 0.4, 0.46, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6]
    assert side_flips(kin, _events("lrlrrlrlrl", times)) is None


def test_touchdowns_of_one_foot_only_are_not_taken_for_flipped_steps(sprint: Synthetic) -> None:
    """The far foot's landings all missed (hidden behind a treadmill console), or every other one: the
    intervals are strides, not steps, which the legs' own rhythm (4.3 steps/s here) shows."""
    kin = _unswapped(sprint.sequence)
    assert kin.step_frequency_estimate_hz is not None
    stride = 2.0 / kin.step_frequency_estimate_hz
    assert side_flips(kin, _events("l" * 9, [k * stride for k in range(9)])) is None
    # the right foot's landings missed by turns (step numbers; even: left): the strides read 1.5x too long
    steps = [0, 1, 2, 4, 6, 7, 8, 10, 12, 13]
    sides = "".join("l" if k % 2 == 0 else "r" for k in steps)
    assert side_flips(kin, _events(sides, [k * stride / 2 for k in steps])) is None


def test_a_changing_step_time_decides_nothing(sprint: Synthetic) -> None:
    """A clip that turns slow motion: steps of 0.3 s, then of 1.2 s; the same foot twice says nothing."""
    kin = _unswapped(sprint.sequence)
    times = [0.0, 0.3, 0.6, 0.9, 2.1, 2.2, 2.5]
    assert side_flips(kin, _events("lrlrrlr", times)) is None


def test_relabelling_is_kept_only_when_it_alternates_better(sprint: Synthetic) -> None:
    kin = _unswapped(sprint.sequence)
    events = _events("lrlrrlrrlr", [k * 0.2 for k in range(10)])
    told = tell_sides_apart(kin, events, lambda e: e, lambda rows: replace(kin), lambda k: events)
    assert told.flips is None and told.kin is kin and told.detected is events


def _handed_over(seq: PoseSequence, centre: int, half: int) -> PoseSequence:
    """The legs' labels sliding onto each other and back over rows centre-half..centre+half (a pose model
    that blends the crossing legs: each label passes through the other, as on the slowed real jog)."""
    xy = np.array(seq.xy)
    for row in range(centre - half, centre + half + 1):
        w = min(1.0, 2.0 * (1.0 - abs(row - centre) / (half + 1)))  # 0 -> 1 (held) -> 0
        for j in LEGS[1:]:  # the hips stay
            a, b = seq.names.index(f"left_{j}"), seq.names.index(f"right_{j}")
            xy[row, a] = (1 - w) * seq.xy[row, a] + w * seq.xy[row, b]
            xy[row, b] = (1 - w) * seq.xy[row, b] + w * seq.xy[row, a]
    return seq.replace(xy=xy)


def test_a_label_hand_over_where_the_legs_cross_does_not_split_a_contact(sprint: Synthetic) -> None:
    clean, _ = ContactDetector().detect(compute_kinematics(sprint.sequence))
    landings = _touchdowns(clean)
    right = next(e for e in landings if e.side == "right" and e.frame > 60)
    toe_off = next(e for e in clean if e.kind == "toe_off" and e.side == "right" and e.frame > right.frame)
    middle = (right.frame + toe_off.frame) // 2
    glitched, _ = ContactDetector().detect(compute_kinematics(_handed_over(sprint.sequence, middle, 9)))
    found = _touchdowns(glitched)
    assert [e.side for e in found] == [e.side for e in landings]  # no touchdown too many, none lost
    # the glitched contact's touchdown within 2 frames (8 ms; 1.5 frames here), the others where they were
    assert all(abs(a.time_s - b.time_s) <= 2 / FPS for a, b in zip(found, landings, strict=True))
    offs = [e for e in glitched if e.kind == "toe_off"]
    assert len(offs) == len([e for e in clean if e.kind == "toe_off"])


def test_a_hand_over_in_a_clip_too_short_for_a_step_rate_estimate_does_not_split_a_contact() -> None:
    """1.5 s holds fewer than 1.2 cycles of the slowest stride the step rate is looked for at (0.7 Hz), so
    there is no estimate (as for the slowed real jog's analysed part, 180 rows, from 105 fps on). A hand-over
    is still one contact: its "swing" is measured against the quickest stride a runner has (without that the
    stance foot landed twice; the jog: a phantom touchdown 0.12 s after two of its five real ones)."""
    short = synthesize(SprinterModel(), fps_hz=FPS, duration_s=1.5)
    kin = compute_kinematics(short.sequence)
    assert kin.step_frequency_estimate_hz is None  # the case tested (none of the events below need it)
    clean, _ = ContactDetector().detect(kin)
    landings = _touchdowns(clean)
    right = next(e for e in landings if e.side == "right" and e.frame > 60)
    toe_off = next(e for e in clean if e.kind == "toe_off" and e.side == "right" and e.frame > right.frame)
    glitched, _ = ContactDetector().detect(
        compute_kinematics(_handed_over(short.sequence, (right.frame + toe_off.frame) // 2, 9))
    )
    found = _touchdowns(glitched)
    assert [e.side for e in found] == [e.side for e in landings]  # no touchdown too many, none lost
    assert all(abs(a.time_s - b.time_s) <= 2 / FPS for a, b in zip(found, landings, strict=True))


def test_a_stretch_whose_relabelling_moves_landings_does_not_block_a_plain_flip_elsewhere() -> None:
    """Two stretches with the labels exchanged; relabelling the second moves its landings (as among a start's
    unsteady first strides, where the pose is poor): all at once the round is refused, so each stretch is
    tried alone and the plain flip is still undone (the panning race followed from the blocks: the straight's
    flip at frames 313-321 stayed, two touchdowns one step apart on one foot)."""
    longer = synthesize(SprinterModel(), fps_hz=FPS, duration_s=5.0).sequence
    apart = _apart_most(longer)
    a_lo, a_hi, b_lo, b_hi = (int(apart[k]) for k in (4, 7, 14, 17))
    flipped = _exchanged(_exchanged(longer, a_lo, a_hi), b_lo, b_hi)
    kin = _unswapped(flipped)
    events = ContactDetector().detect(kin)[0]
    relabelled: list[np.ndarray] = []

    def relabel(rows: np.ndarray) -> Kinematics:
        relabelled.append(rows)
        return _unswapped(flipped, rows)

    def detect(k: Kinematics) -> list[GaitEvent]:
        found = ContactDetector().detect(k)[0]
        if relabelled and relabelled[-1][(b_lo + b_hi) // 2]:  # the second stretch relabelled: landings from
            # there on move (a third of the clip's)
            late = 8 / FPS
            return [replace(e, time_s=e.time_s + late) if e.time_s >= b_lo / FPS else e for e in found]
        return found

    told = tell_sides_apart(kin, events, lambda e: e, relabel, detect)
    assert told.flips is not None and told.flips.stretches == 1
    rows = np.flatnonzero(told.flips.rows)
    assert a_lo - 60 <= rows[0] and rows[-1] <= a_hi + 60  # the first stretch, not the second
    assert alternation_share(told.detected) > alternation_share(events)
