"""A filled inquiry form as a scanner or a phone would return it: printed text in a picture,
no form fields (made with Pillow at test time)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont

# What the applicant printed on the form: the complete test form's first answers.
PRINTED = (
    ("Business name", "Paper Lantern Crafts LLC"),
    ("Contact name", "Ana Ruiz"),
    ("Email", "ana@paperlanterncrafts.com"),
    ("Phone", "+1 312 555 0142"),
    ("Street", "233 S Wacker Dr"),
    ("City", "Chicago"),
    ("State", "IL"),
    ("ZIP code", "60606"),
    ("Website", "http://paperlantern.test"),
)


def scanned_form(lines: Sequence[tuple[str, str]] = PRINTED, fmt: str = "PNG") -> bytes:
    """The form as a grey picture (PNG, JPEG, or a PDF holding only the picture)."""
    font = ImageFont.load_default(size=30)
    text = ["NEW CUSTOMER INQUIRY FORM", "", *(f"{label}: {value}" for label, value in lines)]
    image = Image.new("L", (1400, 80 + 50 * len(text)), 255)
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(text):
        draw.text((60, 40 + 50 * row), line, fill=0, font=font)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()
