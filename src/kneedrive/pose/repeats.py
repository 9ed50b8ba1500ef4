"""Repeated images: a paused player at the start of a screen recording, an editor's export that shows every
image two or three times, slow-motion playback recorded off a screen. They carry no motion, and their time
stamps would make still feet and frozen hips out of a run: they are found and left out before the pose
model sees them.

A frame repeats the last kept one when, on grey images cut down to about SIDE_PX, the people in view (their
regions from the tracker) have not changed (fewer than PEOPLE_SHARE of the pixels in their regions differ
by more than CHANGE_LEVEL grey levels) and little else has (fewer than REST_SHARE of the image: a video
player's scrolling title or clock may change while the video is paused); with nobody in view yet, when
fewer than EMPTY_SHARE of the pixels differ. Compression noise on a repeated image stays below the level.

A screen recording adds more noise: it re-encodes the player's picture, and a repeated image there differs
in 0.3-1.2 % of the people's pixels (the slowed jog, whose player shows most images twice), more than
PEOPLE_SHARE, while the frames that move differ in 28-50 %. So a frame also repeats the last kept one when its
people change by less than RELATIVE_SHARE of what the last kept frame changed (and by less than PEOPLE_CAP,
and little else changes): a drop of ten times or more amid motion is no motion. Only one such frame in a row:
the next is compared with the last kept one by the fixed shares alone, so an athlete who stops and holds
loses at most the first frame of the hold.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
from numpy.typing import NDArray

SIDE_PX = 160
CHANGE_LEVEL = 6
PEOPLE_SHARE = 0.005
REST_SHARE = 0.02
EMPTY_SHARE = 0.001
RELATIVE_SHARE = 0.1
PEOPLE_CAP = 0.03


class RepeatedFrames:
    """`repeats(rgb, people)` says whether a frame repeats the last one kept (and keeps it otherwise);
    `dropped` counts the repeats."""

    def __init__(self, *, side_px: int = SIDE_PX, change_level: int = CHANGE_LEVEL) -> None:
        self.side_px = side_px
        self.change_level = change_level
        self.dropped = 0
        self._last: NDArray[np.int16] | None = None
        self._stride = 1
        self._last_change = 0.0  # the people's changed share of the last kept frame (over the one before)

    def repeats(self, rgb: NDArray[np.uint8], people: Sequence[tuple[float, float, float]]) -> bool:
        """True for a repeat of the last kept frame; `people` as (centre x, centre y, radius) in image px."""
        self._stride = max(1, round(max(rgb.shape[:2]) / self.side_px))
        grey = cv2.cvtColor(np.ascontiguousarray(rgb[:: self._stride, :: self._stride]), cv2.COLOR_RGB2GRAY)
        small = np.asarray(grey, dtype=np.int16)
        last, self._last = self._last, small
        if last is None or last.shape != small.shape:
            return False
        changed = np.abs(small - last) > self.change_level
        if not people:
            repeat = np.count_nonzero(changed) <= EMPTY_SHARE * changed.size
            self._last_change = 0.0
        else:
            inside = self._regions(changed.shape, people)
            share = np.count_nonzero(changed & inside) / max(int(np.count_nonzero(inside)), 1)
            relative = share < min(RELATIVE_SHARE * self._last_change, PEOPLE_CAP)
            repeat = bool(
                (share <= PEOPLE_SHARE or relative) and np.count_nonzero(changed) <= REST_SHARE * changed.size
            )
            # the last kept frame's change counts for the frame right after it only
            self._last_change = 0.0 if repeat else float(share)
        if repeat:
            self._last = last  # compare the next frame with the kept one, so that a slow drift is not missed
            self.dropped += 1
        return bool(repeat)

    def _regions(self, shape: tuple[int, ...], people: Sequence[tuple[float, float, float]]) -> NDArray[np.bool_]:
        inside = np.zeros(shape[:2], dtype=bool)
        for x, y, radius in people:
            cx, cy, r = x / self._stride, y / self._stride, max(radius / self._stride, 1.0)
            inside[max(int(cy - r), 0) : max(int(cy + r) + 1, 0), max(int(cx - r), 0) : max(int(cx + r) + 1, 0)] = True
        return inside


#: An edit that shows every image the same number of times (2 or more) does so for at least this share of
#: the kept images (the rest: a cut, a pause, an image the encoder changed enough to be kept).
REGULAR_SHARE = 0.8


def shown_times(time_s: NDArray[np.float64], fps_hz: float) -> int | None:
    """How many times an edit showed each image, from the kept frames' file times (`time_s`, the repeats
    left out) at the file's `fps_hz`: N >= 2 when at least REGULAR_SHARE of the gaps between kept images are
    N frames; None when the images are not repeated regularly."""
    if len(time_s) < 10 or fps_hz <= 0:
        return None
    gaps = np.rint(np.diff(time_s) * fps_hz).astype(int)
    values, counts = np.unique(gaps, return_counts=True)
    n = int(values[np.argmax(counts)])
    return n if n >= 2 and counts.max() >= REGULAR_SHARE * len(gaps) else None
