"""Cleaning one keypoint trajectory: confidence masking, gap filling, zero-lag low-pass.

Hand-written on top of scipy because no library fills *short* gaps only and filters
NaN-separated segments independently, which pose data needs.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy.interpolate import PchipInterpolator
from scipy.signal import butter, sosfiltfilt, welch

Array = NDArray[np.float64]

#: Keypoints below this confidence are treated as missing.
MIN_SCORE = 0.3
#: Dropouts up to this long are bridged (longer ones stay missing).
MAX_GAP_S = 0.12
#: Butterworth order per pass; filtfilt runs it twice (zero lag, 4th order overall).
FILTER_ORDER = 2


def fill_gaps(time_s: Array, values: Array, *, max_gap_s: float = MAX_GAP_S) -> tuple[Array, int]:
    """Bridge NaN runs no longer than `max_gap_s` with shape-preserving (PCHIP) interpolation.

    Works on (N,) or (N, D) arrays; returns the filled copy and the number of filled samples.
    Gaps at the clip's ends are never extrapolated.
    """
    out = np.array(values, dtype=float)
    flat = out.reshape(len(out), -1)
    valid = np.all(np.isfinite(flat), axis=1)
    if valid.sum() < 2 or valid.all():
        return out, 0
    idx = np.flatnonzero(valid)
    interp = PchipInterpolator(time_s[idx], flat[idx], axis=0, extrapolate=False)
    filled = 0
    starts = np.flatnonzero(~valid[1:] & valid[:-1]) + 1
    for start in starts:
        end = start
        while end < len(valid) and not valid[end]:
            end += 1
        if end == len(valid):
            break
        if time_s[end] - time_s[start - 1] <= max_gap_s + 1e-9:
            flat[start:end] = interp(time_s[start:end])
            filled += int(end - start)
    return flat.reshape(out.shape), filled


def dual_pass_cutoff_correction(order: int = FILTER_ORDER) -> float:
    """Winter's correction: a filter run forward and back has a lower -3 dB point than one pass."""
    return float((2.0 ** (1.0 / 2.0) - 1.0) ** (1.0 / (2.0 * order)))


def butterworth(values: Array, /, fps_hz: float, cutoff_hz: float, *, order: int = FILTER_ORDER) -> Array:
    """Zero-lag low-pass of (N,) or (N, D) data whose -3 dB point is `cutoff_hz`.

    Each NaN-free run is filtered on its own; runs too short for the filter's padding are
    left as they are (they are rare after gap filling and too short to bias anything).
    """
    nyquist = fps_hz / 2.0
    wn = min(cutoff_hz / dual_pass_cutoff_correction(order) / nyquist, 0.99)
    sos = butter(order, wn, output="sos")
    out = np.array(values, dtype=float)
    flat = out.reshape(len(out), -1)
    valid = np.all(np.isfinite(flat), axis=1)
    padlen = 3 * (2 * len(sos) + 1)
    for start, end in _runs(valid):
        if end - start > padlen:
            flat[start:end] = sosfiltfilt(sos, flat[start:end], axis=0)
    return flat.reshape(out.shape)


def _runs(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def dominant_frequency_hz(values: Array, fps_hz: float, *, low_hz: float, high_hz: float) -> float | None:
    """Frequency of the strongest periodic component between low_hz and high_hz, if any."""
    x = np.asarray(values, dtype=float)
    valid = np.isfinite(x)
    if valid.sum() < max(8, 1.2 * fps_hz / max(low_hz, 1e-6)):
        return None
    t = np.arange(len(x))
    x = np.interp(t, t[valid], x[valid])
    x = x - x.mean()
    nperseg = min(len(x), int(4 * fps_hz / low_hz))
    freq, power = welch(x, fs=fps_hz, nperseg=nperseg, nfft=max(4096, nperseg), detrend="linear")
    band = (freq >= low_hz) & (freq <= high_hz)
    if not band.any() or power[band].max() <= 0:
        return None
    return float(freq[band][np.argmax(power[band])])


def choose_cutoff_hz(step_frequency_hz: float | None, fps_hz: float) -> float:
    """Cut-off that follows the motion: 4 x step frequency, within 6 Hz and 0.25 x frame rate.

    4 x the step frequency keeps the 8th harmonic of the stride (Winter's residual analyses of
    running put the signal/noise cross-over there): ~7 Hz for walking, ~11 Hz for jogging,
    ~17 Hz for a 4.4 Hz sprint. The 0.25 x fps ceiling keeps pose-model jitter out at low
    frame rates (7.5 Hz at 30 fps), where faster motion cannot be resolved anyway.
    """
    step = 3.5 if step_frequency_hz is None or not math.isfinite(step_frequency_hz) else step_frequency_hz
    return float(min(max(4.0 * step, 6.0), 0.25 * fps_hz))


#: A coordinate further than this many times the spread of all coordinates (1st to 99th
#: percentile, whole clip, per axis) from their median is not a body point.
ABSURD_SPREADS = 10.0
#: No body point reaches this magnitude in any unit we read (pixels of a 16K image: 15,360; a 100 km
#: course in mm: 1e8): a larger value is a corrupt cell, even when a tenth of the clip holds one.
MAX_COORDINATE = 1e8


def usable_points(xy: Array) -> Array:
    """(..., 2) positions with every point that has a non-finite or absurdly large coordinate as NaN
    (arithmetic on them then neither overflows nor mixes infinities)."""
    ok = np.all(np.abs(xy) <= MAX_COORDINATE, axis=-1)  # False for NaN and inf, without a warning
    out: Array = np.where(ok[..., None], xy, np.nan)
    return out


def _row_blocks(n: int, rows: int = 100_000) -> list[slice]:
    return [slice(i, min(i + rows, n)) for i in range(0, n, rows)]


def drop_absurd(xy: Array) -> tuple[Array, list[str]]:
    """A copy of (N, K, 2) coordinates with non-finite and absurdly far points turned into dropouts (NaN),
    and the warning that says how many absurd ones there were."""
    xy = np.array(xy, dtype=float)
    missing = ~np.all(np.isfinite(xy), axis=2)
    absurd = ~missing & np.any((xy > MAX_COORDINATE) | (xy < -MAX_COORDINATE), axis=2)
    missing |= absurd
    if not np.all(missing):
        for axis in (0, 1):
            values = xy[..., axis][~missing]
            values = values[:: max(1, len(values) // 1_000_000)]  # a million samples place the bulk
            low, mid, high = np.percentile(values, [1, 50, 99])
            del values
            spread = max(high - low, 1e-9 * max(abs(mid), 1.0))
            for rows in _row_blocks(len(xy)):  # the distances a block at a time: no clip-sized temporaries
                absurd[rows] |= ~missing[rows] & (np.abs(xy[rows, :, axis] - mid) > ABSURD_SPREADS * spread)
        missing |= absurd
    warnings: list[str] = []
    if count := int(np.count_nonzero(absurd)):
        warnings.append(
            f"{count} keypoint position(s) lie far outside the rest of the skeleton and were treated as dropouts"
        )
    xy[missing] = np.nan
    return xy, warnings
