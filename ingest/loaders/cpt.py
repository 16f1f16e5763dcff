"""CPT codes from the AMA's licensed data files, for a user who holds the licence: the text files
of descriptors (LONGULT.txt, MEDU.txt, SHORTU.txt and the like), one code per line followed by a
tab or spaces and its descriptor; two-character lines are CPT modifiers. medcode ships none of
it; without it, CPT codes are reported as not verifiable, never as invalid."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.errors import SourceError
from assistant.models import Code, Passage, SourceData, passage_id
from ingest.loaders.common import checksum, clean, head

NAME = "cpt"
LINE = re.compile(r"^(\d{4}[0-9FTU]|\d{2})[\t ]+(\S.*)$")
NAMED = ("cpt", "longult", "medu", "shortu", "consumer")


def detect(path: Path) -> bool:
    if path.suffix.lower() not in (".txt", ".tsv") or not any(
        word in path.name.lower() for word in NAMED
    ):
        return False
    lines = [line for line in head(path, 4000).splitlines()[:-1] if line.strip()][:20]
    return len(lines) >= 1 and sum(bool(LINE.match(line)) for line in lines) >= 0.8 * len(lines)


def version_of(path: Path, text: str) -> str:
    found = re.search(r"(20\d\d)", path.name) or re.search(r"CPT[^\n]{0,40}?(20\d\d)", text)
    if found is None:
        raise SourceError(path, "cannot tell the CPT year: name the file with it (CPT2026...)")
    return found.group(1)


def load(path: Path) -> SourceData:
    text = path.read_text(encoding="utf-8", errors="replace")
    out = SourceData(NAME, f"CPT {version_of(path, text)}", str(path), checksum(path))
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = LINE.match(line.strip())
        if match is None:
            if out.codes:  # notices may come first; after the first code, every line is one
                raise SourceError(path, f"not a code and its descriptor: {line[:60]!r}", number)
            continue
        code, title = match.group(1), clean(match.group(2))
        if code in seen:
            continue  # a long descriptor continued on another line of the same code
        seen.add(code)
        level = "modifier" if len(code) == 2 else "code"
        out.codes.append(Code("cpt", code, title, level == "code", level))
        out.passages.append(
            Passage(
                id=passage_id(NAME, code),
                source=NAME,
                system="cpt",
                kind="code",
                code=code,
                title=f"{code} {title}",
                text=f"CPT {'modifier ' if level == 'modifier' else ''}{code}: {title}",
                version=out.version,
            )
        )
    if not out.codes:
        raise SourceError(path, "no CPT codes found")
    return out
