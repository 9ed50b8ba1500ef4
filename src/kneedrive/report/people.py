"""The people preview: one frame with every person found boxed and numbered (for `--person N`)."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from ..pose.people import PeopleScan

ATHLETE_COLOUR = (255, 60, 40)
OTHER_COLOUR = (40, 160, 255)


def draw_people(scan: PeopleScan, *, image_format: str = ".png") -> bytes:
    """The preview frame with numbered boxes (person 1, the default athlete, in red), encoded."""
    image = Image.fromarray(scan.preview)
    draw = ImageDraw.Draw(image)
    size = max(14, image.height // 20)
    font = ImageFont.load_default(size=size)
    for track in scan.tracks:
        box = track.box_at_row(scan.preview_row, within_rows=scan.preview_within_rows)
        if box is None:
            continue
        x0, y0, x1, y1 = (v * scan.preview_scale for v in box)
        colour = ATHLETE_COLOUR if track.number == 1 else OTHER_COLOUR
        draw.rectangle((x0, y0, x1, y1), outline=colour, width=max(2, size // 6))
        label = str(track.number)
        left, top, right, bottom = draw.textbbox((x0, y0), label, font=font)
        draw.rectangle((left - 4, top - 4, right + 4, bottom + 4), fill=colour)
        draw.text((x0, y0), label, fill=(255, 255, 255), font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG" if image_format.lower() in (".jpg", ".jpeg") else "PNG")
    return buffer.getvalue()
