"""Any other document a user supplies (PDF, HTML, Markdown, plain text): passages that keep the
heading trail above them and, for PDFs, the page they start on. Their text is data: it is never
read as instructions."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.errors import SourceError
from assistant.models import Passage, SourceData, passage_id
from ingest.loaders.common import checksum, clean
from ingest.loaders.guidelines import chunks
from ingest.loaders.pdftext import is_pdf, pages

NAME = "document"
SUFFIXES = {".pdf", ".html", ".htm", ".md", ".markdown", ".txt", ".text"}
Block = tuple[list[str], int | None, str]  # (heading trail, page, text)


def detect(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES


def source_name(path: Path) -> str:
    return "doc-" + re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")


def load(path: Path) -> SourceData:
    digest = checksum(path)
    out = SourceData(source_name(path), f"sha256:{digest[:12]}", str(path), digest)
    for number, (trail, page, text) in enumerate(read_blocks(path)):
        for part, chunk in enumerate(chunks(text)):
            out.passages.append(
                Passage(
                    id=passage_id(out.source, f"{number}:{part}"),
                    source=out.source,
                    system="none",
                    kind="document",
                    text=chunk,
                    version=out.version,
                    title=trail[-1] if trail else path.name,
                    page=page,
                    trail=" > ".join([path.name, *trail]),
                )
            )
    if not out.passages:
        raise SourceError(path, "the document holds no text")
    return out


def read_blocks(path: Path) -> list[Block]:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return [([], n, clean(t)) for n, t in enumerate(pages(path), start=1) if clean(t)]
    if is_pdf(path):
        raise SourceError(path, f"a PDF named {suffix}: rename it to .pdf")
    text = read_text(path)
    if suffix in (".html", ".htm"):
        return html_blocks(text)
    if suffix in (".md", ".markdown"):
        return markdown_blocks(text)
    return [([], None, clean(p)) for p in re.split(r"\n\s*\n", text) if clean(p)]


def read_text(path: Path) -> str:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise SourceError(path, "binary content where text was expected")
    return raw.decode("utf-8", errors="replace")


def markdown_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    trail: list[str] = []
    buffer: list[str] = []
    for line in [*text.splitlines(), "# "]:
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            if clean(" ".join(buffer)):
                blocks.append((list(trail), None, clean(" ".join(buffer))))
            buffer = []
            level = len(heading.group(1))
            trail = [*trail[: level - 1], clean(heading.group(2))]
        else:
            buffer.append(line)
    return blocks


def html_blocks(text: str) -> list[Block]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    lines = []
    for element in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "pre"]):
        words = clean(element.get_text(" "))
        if not words:
            continue
        name = element.name or ""
        lines.append(f"{'#' * int(name[1])} {words}" if name.startswith("h") else words)
    return markdown_blocks("\n\n".join(lines))
