"""Left/right label swap correction for side views.

2D pose models often exchange the near and far limb for a few frames, most of all when the
legs cross. We choose, for every frame, "labels as given" or "labels swapped" so that each
limb moves as smoothly as possible: a Viterbi search over the two labellings with a
constant-velocity prediction (so crossing legs are told apart by where they are heading)
and a small cost for swapping, so that labels are only changed when continuity demands it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..sequence import PoseSequence, hand_over

Array = NDArray[np.float64]

LEG_JOINTS = ("hip", "knee", "ankle", "heel", "foot_index")
ARM_JOINTS = ("shoulder", "elbow", "wrist")
#: Fraction of the last frame-to-frame velocity carried into the prediction.
MOMENTUM = 0.8
#: Cost of a swapped frame, in thigh lengths: continuity must beat this to swap labels.
SWAP_PRIOR = 0.05


#: Keypoint index pairs (left, right) of one limb group, and the frames in which to exchange them.
Swaps = tuple[tuple[tuple[tuple[int, int], ...], NDArray[np.int64]], ...]


def correct_swaps(seq: PoseSequence) -> tuple[PoseSequence, int]:
    """Return the sequence with legs and arms relabelled where swapped, and the number of
    frames in which the legs were relabelled."""
    swaps, leg_swapped = find_swaps(seq)
    if not any(len(rows) for _, rows in swaps):
        return seq, leg_swapped  # nothing to relabel: no copy of the clip
    xy = np.array(seq.xy)
    score = np.array(seq.score)
    for pairs, rows in swaps:
        for a, b in pairs:
            xy[rows, a], xy[rows, b] = xy[rows, b].copy(), xy[rows, a].copy()
            score[rows, a], score[rows, b] = score[rows, b].copy(), score[rows, a].copy()
    return seq.replace(xy=hand_over(xy), score=hand_over(score)), leg_swapped


def find_swaps(seq: PoseSequence) -> tuple[Swaps, int]:
    """The relabelling `correct_swaps` applies, per limb group (legs, arms: disjoint keypoints, each
    searched on the input), and the number of frames in which the legs are relabelled."""
    scale = _thigh_length(seq)
    swaps = []
    for joints in (LEG_JOINTS, ARM_JOINTS):
        pairs = _pairs(seq, joints)
        if not pairs or not np.isfinite(scale):
            swaps.append((pairs, np.zeros(0, dtype=np.int64)))
            continue
        sides = seq.xy[:, [[a for a, _ in pairs], [b for _, b in pairs]]]  # (N, 2 limbs, J, 2), a copy
        sides /= scale
        swaps.append((pairs, np.flatnonzero(_viterbi(sides.transpose(1, 0, 2, 3)))))
        del sides
    return tuple(swaps), len(swaps[0][1])


def exchange_legs(seq: PoseSequence, swaps: Swaps, rows: NDArray[np.bool_]) -> tuple[Swaps, int]:
    """`swaps` with the legs' labels also exchanged in `rows` (a mask over the sequence's rows; a row the
    swap search already relabelled goes back), and the number of rows whose legs end up relabelled."""
    legs = _pairs(seq, LEG_JOINTS)
    done = next((swapped for pairs, swapped in swaps if pairs == legs), np.zeros(0, dtype=np.int64))
    mask = np.zeros(seq.n_frames, dtype=bool)
    mask[done] = True
    exchanged = np.flatnonzero(mask != rows)
    out = tuple((pairs, exchanged if pairs == legs else swapped) for pairs, swapped in swaps)
    if all(pairs != legs for pairs, _ in swaps):
        out += ((legs, exchanged),)
    return out, len(exchanged)


def _pairs(seq: PoseSequence, joints: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """(left, right) keypoint indices of the joints the sequence has on both sides."""
    return tuple(
        (seq.names.index(f"left_{j}"), seq.names.index(f"right_{j}"))
        for j in joints
        if f"left_{j}" in seq.names and f"right_{j}" in seq.names
    )


def _thigh_length(seq: PoseSequence) -> float:
    lengths = [
        np.linalg.norm(seq.point(f"{s}_hip") - seq.point(f"{s}_knee"), axis=1)
        for s in ("left", "right")
        if f"{s}_hip" in seq.names and f"{s}_knee" in seq.names
    ]
    if not lengths:
        return float("nan")
    return float(np.nanmedian(np.concatenate(lengths)))


#: Frames whose transition costs are computed at once (bounds the memory of the vectorized step).
CHUNK_FRAMES = 50_000


def _viterbi(both: Array) -> NDArray[np.bool_]:
    """both: (2, N, J, 2), the left limb's and the right limb's joints. Returns a (N,) mask of frames whose
    labels should be swapped.

    State at frame t is (swap at t-1, swap at t); the transition cost compares the labelling
    at t with the constant-velocity prediction from t-1 and t-2. The distances of all eight
    transitions are computed with numpy for all frames; only the 2x2 minimum runs per frame.
    """
    n = both.shape[1]
    options = (both, both[::-1])  # state -> (2 limbs, N, J, 2): as labelled, swapped (a view, no copy)
    inf = float("inf")
    cost = np.full((2, 2), inf)  # cost[a, b]: swap state a at t-1, b at t
    for b in (0, 1):
        for a in (0, 1):
            cost[a, b] = SWAP_PRIOR * (a + b) + (_distance(options[b][:, 1], options[a][:, 0]) if n > 1 else 0.0)
    if n < 3:
        best = np.unravel_index(np.argmin(cost), cost.shape)
        return np.array([bool(best[0]), bool(best[1])][:n])
    prior = (SWAP_PRIOR * 0, SWAP_PRIOR * 1)
    c00, c01, c10, c11 = (float(v) for v in cost.ravel())
    back = bytearray(4 * n)  # back[4 t + 2 b + c]: the best swap state a at t-2
    for lo in range(2, n, CHUNK_FRAMES):
        hi = min(n, lo + CHUNK_FRAMES)
        for t, d in enumerate(_transition_distances(options, lo, hi), start=lo):
            # d[4 a + 2 b + c]: distance of labelling c at t from the prediction of a at t-2, b at t-1
            new = []
            for b, ca, cb in ((0, c00, c10), (1, c01, c11)):
                for c in (0, 1):
                    k = 2 * b + c
                    total0 = ca + d[k] + prior[c]
                    total1 = cb + d[4 + k] + prior[c]
                    best_cost = total0 if total0 < inf else inf
                    if total1 < best_cost:
                        best_cost = total1
                        back[4 * t + k] = 1
                    new.append(best_cost)
            c00, c01, c10, c11 = new
    cost = np.array([[c00, c01], [c10, c11]])
    b, c = (int(v) for v in np.unravel_index(np.argmin(cost), cost.shape))
    states = np.zeros(n, dtype=bool)
    states[n - 1], states[n - 2] = bool(c), bool(b)
    for t in range(n - 1, 1, -1):
        states[t - 2] = bool(back[4 * t + 2 * int(states[t - 1]) + int(states[t])])
    return states


def _transition_distances(options: tuple[Array, Array], lo: int, hi: int) -> list[list[float]]:
    """For frames lo..hi-1 (lo >= 2): the eight distances d[4 a + 2 b + c] of labelling c at t
    from the constant-velocity prediction of labelling b at t-1 and a at t-2 (as `_distance`)."""
    out = np.empty((hi - lo, 8))
    with np.errstate(invalid="ignore"):  # inf - inf where a coordinate is infinite: counted as missing
        for a in (0, 1):
            for b in (0, 1):
                before = options[a][:, lo - 2 : hi - 2]
                prev = options[b][:, lo - 1 : hi - 1]
                predicted = prev + MOMENTUM * (prev - before)
                pred = np.where(np.isfinite(predicted), predicted, prev)
                for c in (0, 1):
                    d = np.linalg.norm(options[c][:, lo:hi] - pred, axis=-1)  # (2 limbs, T, J)
                    per_frame = np.ascontiguousarray(d.transpose(1, 0, 2)).reshape(hi - lo, -1)
                    out[:, 4 * a + 2 * b + c] = np.nansum(per_frame, axis=1)
    rows: list[list[float]] = out.tolist()
    return rows


def _distance(current: Array, predicted: Array) -> float:
    """Summed distance over both limbs' joints; joints missing on either side count zero."""
    d = np.linalg.norm(current - predicted, axis=-1)
    return float(np.nansum(d))
