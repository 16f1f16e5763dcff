"""ICD-10-CM Official Guidelines for Coding and Reporting (PDF).

Headings nest as ``Section I.`` > ``C.`` > ``4.`` > ``a.`` > ``1)`` > ``(a)`` and are cited as
``I.C.4.a.1.a``. A line is taken as a heading only when its label is the next one expected at
some open level (or the first label one level down), which keeps numbered lists in the body and
references such as "(i)" from being read as headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import SourceError
from assistant.models import Passage, SourceData, passage_id
from ingest.loaders.common import checksum
from ingest.loaders.pdftext import is_pdf, pages

NAME = "icd10cm-guidelines"
TITLE = "ICD-10-CM Official Guidelines for Coding and Reporting"
LEVELS = [
    re.compile(r"^Section ([IVX]+)\.\s+(\S.*)$"),
    re.compile(r"^([A-Z])\.\s+(\S.*)$"),
    re.compile(r"^(\d{1,2})\.\s+(\S.*)$"),
    re.compile(r"^([a-z])\.\s+(\S.*)$"),
    re.compile(r"^(\d{1,2})\)\s+(\S.*)$"),
    re.compile(r"^\(([a-z])\)\s+(\S.*)$"),
]
FIRST = ["I", "A", "1", "a", "1", "a"]
ROMAN = ["I", "II", "III", "IV", "V", "VI"]
RUNNING = re.compile(
    r"^(ICD-10-CM Official Guidelines for Coding and Reporting\s*|FY \d{4}\s*|"
    r"Page \d+ of \d+\s*)$"
)
TOC_LINE = re.compile(r"\.{5,}\s*\d+\s*$")
APPENDIX = re.compile(r"^Appendix ([IVX]+)\s*(.*)$")
CHUNK = 1500
CONTINUED = frozenset({"and", "or", "for", "of", "to", "the", "in", "with", "by", "from"})


def detect(path: Path) -> bool:
    if not (is_pdf(path) and path.suffix.lower() == ".pdf"):
        return False
    first = pages(path)[:1]
    return bool(first) and TITLE in first[0]


@dataclass
class Section:
    labels: list[str]
    trail: list[str]
    page: int
    lines: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        return ".".join(self.labels)


def load(path: Path) -> SourceData:
    texts = pages(path)
    year = re.search(r"FY (\d{4})", texts[0] if texts else "")
    if not year:
        raise SourceError(path, "not the ICD-10-CM guidelines: no 'FY yyyy' on the first page")
    out = SourceData(NAME, f"FY{year.group(1)}", str(path), checksum(path))
    for section in split_sections(texts):
        add_passages(out, section)
    if not out.passages:
        raise SourceError(path, "no guideline sections found")
    return out


def body_lines(texts: list[str]) -> list[tuple[int, str]]:
    out = []
    for number, text in enumerate(texts, start=1):
        lines = [ln.strip() for ln in text.splitlines()]
        if sum(bool(TOC_LINE.search(ln)) for ln in lines) >= 3:
            continue  # table of contents
        out += [(number, ln) for ln in lines if ln and not RUNNING.match(ln)]
    return out


def split_sections(texts: list[str]) -> list[Section]:
    current = Section([], ["Introduction"], 1)
    sections = [current]
    lines = body_lines(texts)
    for at, (page, line) in enumerate(lines):
        heading = match_heading(current.labels, line)
        if heading is None:
            current.lines.append(line)
            continue
        depth, label, title = heading
        labels = [*current.labels[:depth], label]
        following = lines[at + 1][1] if at + 1 < len(lines) else ""
        if wraps(title, following, labels):
            title = f"{title} {following}"
        trail = current.trail[1 : depth + 1] if current.labels else []
        current = Section(labels, ["Guidelines", *trail, title], page)
        current.lines.append(line)
        sections.append(current)
    return sections


def wraps(heading: str, following: str, labels: list[str]) -> bool:
    """Whether a heading runs on to the next line: "Section IV. Diagnostic Coding and Reporting
    Guidelines for" / "Outpatient Services", "... and chapter" / "specific guidelines". The line
    stays in the text as well; only the heading (the trail's step) is made whole."""
    if not following or len(following) > 60 or match_heading(labels, following):
        return False
    last = heading.split()[-1].lower()
    return following[0].islower() or last in CONTINUED


def match_heading(labels: list[str], line: str) -> tuple[int, str, str] | None:
    appendix = APPENDIX.match(line)
    if appendix and len(line) < 80:
        return 0, f"Appendix {appendix.group(1)}", line
    for depth, pattern in enumerate(LEVELS):
        found = pattern.match(line)
        if found and expected(labels, depth, found.group(1)):
            return depth, found.group(1), line
    return None


def expected(labels: list[str], depth: int, label: str) -> bool:
    if depth == len(labels):
        return label == FIRST[depth]
    if depth > len(labels):
        return False
    return label == successor(depth, labels[depth])


def successor(depth: int, label: str) -> str:
    if depth == 0:
        return ROMAN[ROMAN.index(label) + 1] if label in ROMAN[:-1] else ""
    if label.isdigit():
        return str(int(label) + 1)
    return chr(ord(label) + 1)


def add_passages(out: SourceData, section: Section) -> None:
    text = " ".join(section.lines).strip()
    if not text:
        return
    trail = " > ".join(section.trail)
    for number, chunk in enumerate(chunks(text)):
        out.passages.append(
            Passage(
                id=passage_id(NAME, f"{section.path or 'intro'}:{number}"),
                source=NAME,
                system="icd10cm",
                kind="guideline",
                text=chunk,
                version=out.version,
                title=section.trail[-1][:120],
                section=section.path or None,
                page=section.page,
                trail=trail,
                codes=(),
            )
        )


def chunks(text: str) -> list[str]:
    if len(text) <= CHUNK:
        return [text]
    sentences = re.split(r"(?<=[.;:])\s+(?=[A-Z(])", text)
    out, current = [], ""
    for sentence in sentences:
        if current and len(current) + len(sentence) > CHUNK:
            out.append(current)
            current = ""
        current = f"{current} {sentence}".strip()
    return [*out, current] if current else out
