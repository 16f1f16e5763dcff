"""Text out of PDFs, page by page, with a clear error for files that are not PDFs."""

from __future__ import annotations

from pathlib import Path

from assistant.errors import SourceError


def is_pdf(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(5) == b"%PDF-"


def pages(path: Path) -> list[str]:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not is_pdf(path):
        raise SourceError(path, "not a PDF (the file does not start with %PDF-)")
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(path)
        return [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise SourceError(path, f"unreadable PDF ({exc})") from exc
