"""Read untrusted PDFs (inquiry forms, purchase orders, mail attachments) within bounded memory
and time: the file size, the page count, each stream's decompressed size and the parsing work per
page are capped (csflows.limits), so a PDF bomb is refused with a clear error, not read."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from csflows import limits
from csflows.errors import PdfRefused

if TYPE_CHECKING:
    from pypdf import PdfReader


def _caps() -> dict[str, int]:
    """pypdf's own resource limits (pypdf.Configuration), set to ours."""
    stream = limits.PDF_STREAM_BYTES
    return {
        "maximum_declared_stream_length": stream,
        "array_based_stream_maximum_output_length": stream,
        "zlib_maximum_output_length": stream,
        "lzw_maximum_output_length": stream,
        "run_length_maximum_output_length": stream,
        "brotli_maximum_output_length": stream,
        "jbig2_maximum_output_length": stream,
        "image_maximum_buffer_size": stream,
        "stream_decoding_work_maximum_length": 4 * stream,
        "xfa_decoding_work_maximum_length": 4 * stream,
        "stream_parsing_work_maximum_count": limits.PDF_STREAM_OPERATIONS,
        "page_tree_maximum_entries": 20 * limits.PDF_PAGES,
        "form_fields_maximum_entries": 10_000,
    }


@contextmanager
def reading(source: bytes | Path) -> Iterator[PdfReader]:
    """A PdfReader for `source` whose every use inside the block stays within the limits;
    PdfRefused names the limit a PDF broke. Other pypdf errors pass through to the caller."""
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError

    size = source.stat().st_size if isinstance(source, Path) else len(source)
    if size > limits.PDF_FILE_BYTES:
        raise PdfRefused(limits.too_long("the PDF", size, limits.PDF_FILE_BYTES, "bytes"))
    content = source.read_bytes() if isinstance(source, Path) else source
    with apply_configuration(None, **_caps()):
        try:
            reader = PdfReader(io.BytesIO(content))
            pages = len(reader.pages)
            if pages > limits.PDF_PAGES:
                raise PdfRefused(limits.too_long("the PDF", pages, limits.PDF_PAGES, "pages"))
            yield reader
        except LimitReachedError as exc:
            raise PdfRefused(
                "the PDF goes over the reading limits (a PDF bomb?): at most "
                f"{limits.PDF_STREAM_BYTES:,} bytes per decompressed stream and "
                f"{limits.PDF_PAGES} pages (pypdf: {str(exc).rstrip('.')})"
            ) from exc
        except RecursionError as exc:
            raise PdfRefused("the PDF's objects are nested too deeply to read") from exc
