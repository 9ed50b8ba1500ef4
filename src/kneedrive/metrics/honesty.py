"""Honest numbers: a figure outside what a human can do, or inconsistent with the others, is withheld
(set to None) with a reason, before anything is judged, shown or saved.

The plausible ranges and their sources are the metric registry's (data/metrics.toml). The consistency
rules are physics:
- speed = step length x step frequency (the hips cover a step per step);
- at sprint step rates the steps are long: Dorn et al. (2012) measured 1.35 m steps at 2.64 Hz (3.5 m/s)
  and 2.2 m at 4.35 Hz (9.5 m/s); steps under 1.2 leg lengths (about 1.1 m) at 3.8 Hz or more are not
  running but a tracking or scale failure (or a drill in place, which is not analyzed as a run);
- contact + flight = step time (one step's own events);
- a step is one step: one that lasts about two or more of the clip's typical steps spans touchdowns that
  were missed, so its time, length, speed and flight are not one step's;
- a flight is ballistic: in the air for t seconds the body rises and falls g t^2 / 8 (Bosco et al. 1983),
  and the hips cannot travel less than that up and down over the step;
- a runner is never on both feet: at running step rates a negative flight is an event found off;
- slowed footage (slow motion played at the file's rate, with no capture rate known) has no real times:
  every time, rate and speed is withheld.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, TypeVar

import numpy as np

from ..events.choice import LEGS_RHYTHM_AGREEMENT, off_the_legs
from .registry import Metric, Scope, registry
from .steps import Step
from .summary import Summary

T = TypeVar("T")
#: speed and step length x step frequency may differ by this fraction (speed is the hips' over whole
#: steps, step length the feet's: they differ by a few % on lab data).
SPEED_CONSISTENCY = 0.25
SPRINT_RATE_HZ = 3.8
SPRINT_STEP_MIN_LEGS = 1.2
#: contact + flight may differ from the step time by this many frames (each event is rounded once).
EVENT_SLACK_FRAMES = 1.5
#: A step this many times the clip's median step time spans missed touchdowns (a running or walking rep's
#: steps vary by a few %; a sprinter's first step out of the blocks is shorter, not longer, than the rest).
MISSED_STEP_RATIO = 1.6
#: The median needs this many timed steps.
MIN_STEPS_FOR_MEDIAN = 4
#: The hips' typical up and down travel needs this many steps.
MIN_TRAVELS = 3
GRAVITY_MPS2 = 9.81
#: Without a scale a leg is taken as this long, the longest (0.491 x 2.15 m, Winter 2009): the rise a flight
#: needs, in leg lengths, is then the least it can be.
LONGEST_LEG_M = 1.05
#: The ballistic rise is compared with the hips' only from this many leg lengths (below it is keypoint
#: noise: a 145 ms sprint flight rises 2.6 cm), and the hips must travel at least this share of it (the hips
#: are not the centre of mass; the filter rounds the peak).
BALLISTIC_FROM_LEGS = 0.1
BALLISTIC_SHARE = 0.5
#: Steps at this rate or faster are running (150 steps/min: walking is 100-120 and turns into running by
#: about 2 m/s, Winter 2009; Novacheck 1998): a runner is never on both feet.
RUNNING_RATE_HZ = 2.5


@dataclass(frozen=True)
class Withheld:
    """A figure left out: where, in how many of its values, and why."""

    metric: str
    scope: str
    count: int
    total: int
    reason: str

    def where(self) -> str:
        """' in N of M steps' (reps, cycles) when only some of them are withheld, else nothing."""
        return (
            f" in {self.count} of {self.total} {self.scope}s"
            if self.scope in ("step", "rep", "cycle") and self.total > 1
            else ""
        )

    def warning(self) -> str:
        return f"{self.metric} withheld{self.where()}: {self.reason}"


#: Figures withheld together (same reason, same steps) are named in one warning from this many on.
GROUP_FROM = 2


def grouped_warnings(withheld: Sequence[Withheld]) -> list[str]:
    """One warning per withheld figure; figures withheld for one reason in the same steps (or reps, cycles)
    share one warning that names them all, in the order first met."""
    groups: dict[tuple[str, int, int, str], list[Withheld]] = {}
    for w in withheld:
        groups.setdefault((w.scope, w.count, w.total, w.reason), []).append(w)
    out = []
    for group in groups.values():
        if len(group) < GROUP_FROM:
            out += [w.warning() for w in group]
            continue
        first = group[0]
        names = ", ".join(w.metric for w in group)
        out.append(f"{len(group)} figures withheld{first.where()} ({names}): {first.reason}")
    return out


def _out_of_range(metric: Metric, value: float) -> str:
    low, high = metric.plausible_min, metric.plausible_max
    shown = f"{value * metric.factor:.3g} {metric.display}".rstrip()
    if metric.of is not None:  # an asymmetry
        return (
            f"left and right differ by {shown} of their mean: the figure is too close to zero for a percentage, "
            "or one side is mismeasured"
        )
    lo = "" if low is None else f"{low * metric.factor:.3g}"
    hi = "" if high is None else f"{high * metric.factor:.3g}"
    band = f"{lo} to {hi}" if lo and hi else f"at least {lo}" if lo else f"at most {hi}"
    return f"{shown} is outside what a human can do ({band} {metric.display}; {metric.range_source})".replace(" ;", ";")


def _clean(
    item: T,
    scope: Scope,
    tally: dict[str, list[str]],
    slowed: bool,
    *,
    frame_s: float = 0.0,
    cleared: frozenset[str] = frozenset(),
    untimed: str | None = None,
) -> T:
    """`item` (a Step, Rep or Cycle) with its implausible figures set to None; reasons collected. A time is
    only implausible beyond one frame (`frame_s`) outside its range: that is the clip's resolution.
    `cleared` figures are set to None without a reason here (withheld, with theirs, elsewhere); with
    `untimed` (why the clip cannot be timed), every time and rate is withheld with that reason."""
    reg = registry()
    changes: dict[str, Any] = {}
    for f in fields(item):  # type: ignore[arg-type]
        metric = reg.metrics.get(f.name)
        value = getattr(item, f.name)
        if metric is None or scope not in metric.scopes or not isinstance(value, int | float):
            continue
        if isinstance(value, bool):
            continue
        if f.name in cleared or (slowed and metric.needs_real_time):
            changes[f.name] = None
            continue
        if untimed is not None and metric.from_event_times:
            changes[f.name] = None
            tally[f.name].append(untimed)
            continue
        slack = frame_s if metric.unit == "s" else 0.0
        if not (metric.plausible(float(value)) or metric.plausible(float(value) + slack) or
                metric.plausible(float(value) - slack)):  # fmt: skip
            changes[f.name] = None
            tally[f.name].append(_out_of_range(metric, float(value)))
    if "rate_decay_pct" in changes and getattr(item, "decayed", False):
        changes["decayed"] = False  # a rep is not flagged as slowing on a decay that was withheld
    return replace(item, **changes) if changes else item  # type: ignore[type-var]


def _report(scope: str, tally: Mapping[str, list[str]], total: int) -> list[Withheld]:
    return [Withheld(name, scope, len(reasons), total, reasons[0]) for name, reasons in tally.items() if reasons]


#: When at least this share of the touchdowns came before the other foot left the ground, so did the ones
#: with no flight before them to tell (the clip's first, the first after a gap).
MOST_EARLY_SHARE = 0.5
#: What is read at the moment of a touchdown: a touchdown found off moves each of them.
AT_TOUCHDOWN = (
    "touchdown_distance_m", "touchdown_distance_legs", "knee_flexion_touchdown_deg", "trunk_lean_touchdown_deg",
)  # fmt: skip
#: What a step that spans missed touchdowns loses: all it measures from one touchdown to the next.
SPANNED = (
    "step_time_s", "flight_time_s", "step_length_m", "step_length_legs", "speed_mps", "vertical_oscillation_m",
    "vertical_oscillation_legs",
)  # fmt: skip


def _typical_step_s(steps: Sequence[Step]) -> float | None:
    """The clip's median step time (None: fewer than MIN_STEPS_FOR_MEDIAN timed steps)."""
    timed = [s.step_time_s for s in steps if s.step_time_s is not None]
    return float(np.median(timed)) if len(timed) >= MIN_STEPS_FOR_MEDIAN else None


def _not_one_step(steps: Sequence[Step], typical_s: float | None) -> tuple[set[int], str | None]:
    """The steps that are not one step each (their indices) and why: they last about two or more of the
    clip's steps (`typical_s`: touchdowns missed) or a small part of one (a touchdown that is no landing)."""
    if typical_s is None:
        return set(), None
    low, high = typical_s / MISSED_STEP_RATIO, typical_s * MISSED_STEP_RATIO
    odd = {i for i, s in enumerate(steps) if s.step_time_s is not None and not low <= s.step_time_s <= high}
    if not odd:
        return odd, None
    lasting = ", ".join(f"{steps[i].step_time_s * 1000:.0f}" for i in sorted(odd))  # type: ignore[operator]
    return odd, (
        f"not one step each: they last {lasting} ms where the clip's steps last {typical_s * 1000:.0f} ms "
        f"(more than {MISSED_STEP_RATIO}x: touchdowns missed; less than 1/{MISSED_STEP_RATIO}: a touchdown that is "
        "no landing)"
    )


def _not_ballistic(step: Step, leg_length_m: float | None) -> str | None:
    """Why `step`'s flight cannot be (None: it can). Without a flight of its own, the step's time less its
    contact is its flight."""
    flight, implied = step.flight_time_s, False
    if flight is None and step.step_time_s is not None and step.contact_time_s is not None:
        flight, implied = step.step_time_s - step.contact_time_s, True
    what = "the step's time less its contact is" if implied else "the step has"
    return _ballistic(flight, step.vertical_oscillation_legs, leg_length_m, what)


def _ballistic(flight_s: float | None, travel_legs: float | None, leg_length_m: float | None, what: str) -> str | None:
    """Why a flight of `flight_s` cannot be (None: it can): the hips moved up and down (`travel_legs`) far less
    than a body in the air that long must."""
    if flight_s is None or flight_s <= 0 or travel_legs is None:
        return None
    rise_legs = GRAVITY_MPS2 * flight_s**2 / 8.0 / (leg_length_m or LONGEST_LEG_M)
    if rise_legs < BALLISTIC_FROM_LEGS or travel_legs >= BALLISTIC_SHARE * rise_legs:
        return None
    return (
        f"{what} a {flight_s * 1000:.0f} ms flight, which rises and falls {rise_legs:.2f} leg lengths (g t^2 / 8, "
        f"Bosco et al. 1983), and the hips moved {travel_legs:.2f}: a toe-off or a touchdown was missed"
    )


def _both_feet_down(typical_s: float | None) -> str | None:
    """Why a negative flight cannot be in steps of `typical_s` (None: it can, a walk, or too few to tell)."""
    if typical_s is None or typical_s * RUNNING_RATE_HZ > 1.0:
        return None
    return (
        f"the foot leaves the ground after the other lands, in a run ({60.0 / typical_s:.0f} steps/min): "
        "a runner is never on both feet (Novacheck 1998), so that toe-off or touchdown is off"
    )


def plausible_steps(
    steps: Sequence[Step],
    *,
    fps_hz: float,
    slowed: bool = False,
    cleared: frozenset[str] = frozenset(),
    leg_length_m: float | None = None,
) -> tuple[list[Step], list[Withheld]]:
    """Steps with every implausible figure withheld; a step that spans missed touchdowns loses what it
    measures from touchdown to touchdown; contact and flight are withheld when the flight is not ballistic
    (`leg_length_m`: the scale, when known), when it is negative in a run, or they do not add up to the
    step time. `cleared` figures are withheld for a reason given elsewhere (see ground_figures)."""
    tally: dict[str, list[str]] = defaultdict(list)
    cleaned = [_clean(s, "step", tally, slowed, frame_s=1.0 / fps_hz, cleared=cleared) for s in steps]
    typical_s = _typical_step_s(cleaned)
    odd, why_odd = _not_one_step(cleaned, typical_s)
    both_feet: dict[str, list[str]] = defaultdict(list)
    why_both = _both_feet_down(typical_s)
    rhythm: dict[str, list[str]] = defaultdict(list)  # each rule its own tally: a warning gives its own reason
    ballistic: dict[str, list[str]] = defaultdict(list)
    out = []
    early: set[int] = set()  # steps whose touchdown came before the other foot left the ground
    for index, step in enumerate(cleaned):
        step = _withhold(step, SPANNED, why_odd if index in odd else None, rhythm)
        step = _withhold(step, ("contact_time_s", "flight_time_s"), _not_ballistic(step, leg_length_m), ballistic)
        overlap = step.flight_time_s is not None and step.flight_time_s < -EVENT_SLACK_FRAMES / fps_hz
        step = _withhold(step, ("contact_time_s", "flight_time_s"), why_both if overlap else None, both_feet)
        if overlap and why_both is not None and index + 1 < len(cleaned) and cleaned[index + 1].side != step.side:
            early.add(index + 1)  # the flight ends at the next step's touchdown: what starts there goes too
        step = _withhold(step, (*AT_TOUCHDOWN, "contact_time_s"), why_both if index in early else None, both_feet)
        c, f, st = step.contact_time_s, step.flight_time_s, step.step_time_s
        if c is not None and f is not None and st is not None and abs(c + f - st) > EVENT_SLACK_FRAMES / fps_hz:
            reason = (
                f"contact {c * 1000:.0f} ms + flight {f * 1000:.0f} ms do not add up to the step's {st * 1000:.0f} ms"
            )
            tally["contact_time_s"].append(reason)
            tally["flight_time_s"].append(reason)
            step = replace(step, contact_time_s=None, flight_time_s=None)
        out.append(step)
    if why_both is not None and len(early) >= MOST_EARLY_SHARE * len(out):  # the first touchdown too
        out = [_withhold(step, AT_TOUCHDOWN, why_both, both_feet) for step in out]
    return out, [w for t in (tally, rhythm, ballistic, both_feet) for w in _report("step", t, len(steps))]


def _withhold(step: Step, names: Sequence[str], reason: str | None, tally: dict[str, list[str]]) -> Step:
    """`step` with `names` withheld for `reason` (None: as it is), each figure it had tallied."""
    if reason is None:
        return step
    present = [n for n in names if getattr(step, n) is not None]
    for name in present:
        tally[name].append(reason)
    nulls: dict[str, Any] = dict.fromkeys(present)
    return replace(step, **nulls)


def contacts_fit_the_rhythm(
    summary: Summary, steps: Sequence[Step], travel_legs: Sequence[float], *, leg_length_m: float | None = None
) -> tuple[Summary, list[Step], list[Withheld]]:
    """The clip's typical contact against its step rate: what a step's time leaves after its contact is in
    the air, and the hips must rise and fall for it (the per-step rule, on the typical step; `travel_legs`:
    the hips' up and down travel over each step measured, withheld or not). Where they did not, the contacts
    found are parts of longer ones (a walk's double support read as flight, a contact detector that lost the
    foot): contact, flight and duty factor are withheld everywhere."""
    freq, contact, travel = summary.step_frequency_hz, summary.contact_time_s, list(travel_legs)
    if not freq or contact is None or len(travel) < MIN_TRAVELS:
        return summary, list(steps), []
    what = "the step's time less its contact is"
    why = _ballistic(1.0 / freq - contact, float(np.median(travel)), leg_length_m, what)
    if why is None:
        return summary, list(steps), []
    why = f"the typical contact does not fit the step rate: {why}"
    names = ("contact_time_s", "flight_time_s", "duty_factor")
    withheld = [Withheld(n, "summary", 1, 1, why) for n in names if getattr(summary, n) is not None]
    cleared = replace(summary, contact_time_s=None, flight_time_s=None, duty_factor=None)
    return cleared, [replace(s, contact_time_s=None, flight_time_s=None) for s in steps], withheld


def plausible_reps(
    reps: Iterable[Any], *, slowed: bool = False, untimed: str | None = None
) -> tuple[tuple[Any, ...], list[Withheld]]:
    """Drill reps (and their cycles) with every implausible figure withheld; with `untimed` (why the clip's
    cycles cannot be timed: too few images a step), every time and rate too, with that reason."""
    rep_tally: dict[str, list[str]] = defaultdict(list)
    cycle_tally: dict[str, list[str]] = defaultdict(list)
    out = []
    n_cycles = 0
    reps = list(reps)
    for rep in reps:
        cycles = tuple(_clean(c, "cycle", cycle_tally, slowed, untimed=untimed) for c in rep.cycles_detail)
        n_cycles += len(cycles)
        out.append(replace(_clean(rep, "rep", rep_tally, slowed, untimed=untimed), cycles_detail=cycles))
    return tuple(out), _report("rep", rep_tally, len(reps)) + _report("cycle", cycle_tally, n_cycles)


def touchdowns_off_the_legs(steps_hz: float | None, legs_hz: float | None) -> str | None:
    """Why the step rate from the touchdowns cannot be trusted: it is not the legs' own rhythm (None: it is,
    or either is unknown)."""
    if not off_the_legs(steps_hz, legs_hz):
        return None
    assert steps_hz is not None and legs_hz is not None
    return (
        f"the touchdowns give {60 * steps_hz:.0f} steps/min where the legs swing at {60 * legs_hz:.0f} "
        f"(more than {100 * LEGS_RHYTHM_AGREEMENT:.0f} % apart): touchdowns missed or found twice"
    )


#: The figures that rest on counting and timing the steps.
STEP_TIMING = ("cadence_spm", "step_frequency_hz", "step_time_s", "duty_factor", "step_length_m", "step_length_legs")


def plausible_summary(
    summary: Summary, *, hips_travel: bool, slowed: bool = False, untimed: str | None = None
) -> tuple[Summary, list[Withheld]]:
    """The summary with implausible figures withheld, the step rate and what rests on it withheld with
    `untimed` (why the steps cannot be counted: too few images a step, kinematics.timebase, touchdowns off
    the legs' rhythm; every time from the events goes with it: contact, flight, duty factor), and speed and
    step length withheld when they do not agree with each other and with the step rate."""
    tally: dict[str, list[str]] = defaultdict(list)
    # untimed: the contact and flight times come from the same touchdowns as the step rate
    s = _clean(summary, "summary", tally, slowed, untimed=untimed)
    if untimed is not None:
        for name in STEP_TIMING:
            if getattr(s, name) is not None:
                tally[name].append(untimed)
        nulls: dict[str, Any] = dict.fromkeys(STEP_TIMING)
        s = replace(s, **nulls)
    f, speed, length = s.step_frequency_hz, s.speed_mps, s.step_length_m
    speed_legs, length_legs = s.speed_legs_per_s, s.step_length_legs
    if hips_travel and f:
        reason = None
        if speed is not None and length is not None and abs(speed - length * f) > SPEED_CONSISTENCY * speed:
            reason = (
                f"{speed:.2f} m/s does not match {length:.2f} m steps at {f * 60:.0f} steps/min "
                f"({length * f:.2f} m/s): the hips and the feet disagree (camera motion or tracking)"
            )
        elif length_legs is not None and f >= SPRINT_RATE_HZ and length_legs < SPRINT_STEP_MIN_LEGS:
            reason = (
                f"{length_legs:.2f} leg-length steps at {f * 60:.0f} steps/min: at sprint step rates steps are "
                f"longer than {SPRINT_STEP_MIN_LEGS} leg lengths (Dorn et al. 2012); camera motion, tracking or scale"
            )
        if reason is not None:
            for name in ("speed_mps", "speed_legs_per_s", "step_length_m", "step_length_legs"):
                tally[name].append(reason)
            s = replace(s, speed_mps=None, speed_legs_per_s=None, step_length_m=None, step_length_legs=None)
        elif speed_legs is not None and length_legs is not None and speed is None:
            pass  # no scale: the leg-length figures were checked by range
    return s, _report("summary", tally, 1)


def plausible_figures(
    figures: Mapping[str, float | None], scope: Scope
) -> tuple[dict[str, float | None], list[Withheld]]:
    """A mapping of figures (per side, asymmetry) with implausible values withheld."""
    reg = registry()
    out: dict[str, float | None] = {}
    withheld = []
    for name, value in figures.items():
        metric = reg.metrics.get(name)
        if value is not None and metric is not None and not metric.plausible(float(value)):
            withheld.append(Withheld(name, scope, 1, 1, _out_of_range(metric, float(value))))
            value = None
        out[name] = value
    return out, withheld


#: Below this share of the touchdowns the step rate implies, the steps found are a biased sample (a lost
#: athlete, a camera the events could not follow): left/right comparisons are withheld and nothing is judged.
MIN_TOUCHDOWN_COVERAGE = 0.6


def touchdown_coverage(steps: Sequence[Step], step_frequency_hz: float | None) -> tuple[int, int] | None:
    """(touchdowns found, touchdowns the step rate implies between the first and the last one)."""
    times = sorted(s.touchdown_time_s for s in steps)
    if step_frequency_hz is None or len(times) < 2:
        return None
    expected = round((times[-1] - times[0]) * step_frequency_hz) + 1
    return len(times), max(expected, len(times))


#: Below this share of successive touchdowns that change foot, the sides are not told apart reliably.
MIN_ALTERNATION = 0.75


def alternation(steps: Sequence[Step]) -> float | None:
    """Share of successive touchdowns made by the other foot (1 for clean running)."""
    sides = [s.side for s in sorted(steps, key=lambda s: s.touchdown_time_s)]
    if len(sides) < 3:
        return None
    return sum(a != b for a, b in itertools.pairwise(sides)) / (len(sides) - 1)


#: Left and right are compared only when at least this share of successive touchdowns change foot. Each
#: touchdown on the same foot as the one before makes a step that is no left or right step (on the GaitLab
#: treadmill clip 17 % of the touchdowns, phantoms of the far foot behind the console, made a 13.6 % left/right
#: "difference" in step time); kneedrive's rule, no published threshold.
MIN_SIDE_ALTERNATION = 0.9


def sides_mixed(steps: Sequence[Step]) -> str | None:
    """Why left and right cannot be compared (None: they can): too few successive touchdowns change foot."""
    share = alternation(steps)
    if share is None or share >= MIN_SIDE_ALTERNATION:
        return None
    need = f"{MIN_SIDE_ALTERNATION:.0%}"
    return f"only {share:.0%} of successive touchdowns change foot (a left/right comparison needs {need})"


def ground_figures() -> frozenset[str]:
    """The figures that need positions relative to the ground (registry: needs_ground)."""
    return frozenset(n for n, m in registry().metrics.items() if m.needs_ground)


def without_ground_figures(
    steps: Sequence[Step], summary: Summary, reason: str
) -> tuple[list[Step], Summary, list[Withheld]]:
    """Steps and summary without the figures that need positions relative to the ground (registry:
    needs_ground), each withheld with `reason`."""
    reg = registry()
    names = [n for n, m in reg.metrics.items() if m.needs_ground]
    step_names = {f.name for f in fields(Step)} & set(names)
    summary_names = {f.name for f in fields(Summary)} & set(names)
    cleared_steps = [replace(s, **dict.fromkeys(step_names)) for s in steps]  # type: ignore[arg-type]
    present = [n for n in sorted(step_names | summary_names) if any(getattr(x, n, None) is not None
               for x in (*steps, summary))]  # fmt: skip
    cleared_summary = replace(summary, **dict.fromkeys(summary_names))  # type: ignore[arg-type]
    return cleared_steps, cleared_summary, [Withheld(n, "summary", 1, 1, reason) for n in present]


def slowed_warning(factor: float | None) -> str:
    shown = "" if factor is None else f" (about {factor:.1f}x)"
    return (
        f"the clip looks slowed{shown} and its capture rate is unknown: times, rates and speeds are withheld; "
        "give the capture rate with --capture-fps to measure them"
    )


def outside_side_part(
    steps: Sequence[Step], part_s: tuple[float, float], reason: str
) -> tuple[list[Step], list[Withheld]]:
    """Steps that touch down outside the side-on part of the clip (`part_s`, s) keep the figures every view
    gives (times, rates: the registry's view_free); their side-view figures are withheld with `reason`."""

    def inside(step: Step) -> bool:  # the swing before the touchdown and the step after it, too
        lo, hi = part_s
        start = step.knee_lift_time_s if step.knee_lift_time_s is not None else step.touchdown_time_s
        end = step.touchdown_time_s + (step.step_time_s or 0.0)
        return lo <= start and lo <= step.touchdown_time_s <= hi and end <= hi

    tally: dict[str, list[str]] = defaultdict(list)
    out = _outside(steps, "step", inside, reason, tally)
    return out, _report("step", tally, len(steps))


def reps_outside_side_part(
    reps: Sequence[Any], part_s: tuple[float, float], reason: str
) -> tuple[tuple[Any, ...], list[Withheld]]:
    """Drill-stage reps (a run's rhythm row) as outside_side_part: cycles whose top is outside the part lose
    their side-view figures, and so does a rep that reaches outside it (its medians would mix the views)."""

    def inside(t: float) -> bool:
        return part_s[0] <= t <= part_s[1]

    out = []
    rep_tally: dict[str, list[str]] = defaultdict(list)
    cycle_tally: dict[str, list[str]] = defaultdict(list)
    n_cycles = 0
    for rep in reps:
        cycles = _outside(
            rep.cycles_detail, "cycle", lambda c: inside(c.start_s) and inside(c.end_s), reason, cycle_tally
        )
        whole = _outside([rep], "rep", lambda r: inside(r.start_s) and inside(r.end_s), reason, rep_tally)
        out.append(replace(whole[0], cycles_detail=tuple(cycles)))
        n_cycles += len(cycles)
    return tuple(out), _report("rep", rep_tally, len(reps)) + _report("cycle", cycle_tally, n_cycles)


def _outside(
    items: Sequence[T], scope: Scope, keep: Callable[[T], bool], reason: str, tally: dict[str, list[str]]
) -> list[T]:
    """`items` with the side-view figures (not view_free) of those not kept set to None, counted in `tally`."""
    reg = registry()
    out = []
    for item in items:
        if keep(item):
            out.append(item)
            continue
        names = [f.name for f in fields(item) if (m := reg.metrics.get(f.name)) is not None  # type: ignore[arg-type]
                 and scope in m.scopes and not m.view_free and getattr(item, f.name) is not None]  # fmt: skip
        for name in names:
            tally[name].append(reason)
        out.append(replace(item, **dict.fromkeys(names)))  # type: ignore[type-var]
    return out
