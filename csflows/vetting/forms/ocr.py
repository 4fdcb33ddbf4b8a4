"""Text from pictures of a form (a scan, a photo): Tesseract through pytesseract, for PNG and
JPEG files and for PDFs whose pages are only images (their embedded images, read with pypdf,
so no PDF renderer is needed)."""

from __future__ import annotations

import io
import logging

from csflows import limits

log = logging.getLogger(__name__)
PAGE_CAP = 5  # a returned inquiry form is one or two pages; a long PDF is not the form
IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}


def image_text(content: bytes) -> str:
    """The text Tesseract reads in one image ("" when it is not an image it can open)."""
    import pytesseract
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            return str(pytesseract.image_to_string(image.convert("L")))
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        log.info("image not read: %s: %s", exc.__class__.__name__, str(exc)[:200])
        return ""


def pdf_images_text(content: bytes) -> str:
    """The OCR'd text of the images on a PDF's first pages, page by page."""
    from pypdf.errors import PyPdfError

    from csflows import pdfs

    texts: list[str] = []
    try:
        with pdfs.reading(content) as reader:
            for page in reader.pages[:PAGE_CAP]:
                texts += [image_text(image.data) for image in page.images]
    except (PyPdfError, ValueError, TypeError, KeyError, OSError) as exc:  # PdfRefused too
        log.info("PDF images not read: %s: %s", exc.__class__.__name__, str(exc)[:200])
    return limits.clean("\n".join(texts), multiline=True)
