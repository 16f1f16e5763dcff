"""ICD-10-PCS Index XML: main terms and nested terms pointing to partial codes (to be completed
from the Tables), ``see`` references and ``use`` key terms."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from assistant.models import IndexEntry, Passage, SourceData, passage_id
from ingest.loaders.common import all_text, checksum, clean, head, parse_xml

NAME = "icd10pcs-index"


def detect(path: Path) -> bool:
    return "<ICD10PCS.index" in head(path)


def load(path: Path) -> SourceData:
    root = parse_xml(path, "ICD10PCS.index")
    out = SourceData(NAME, f"FY{clean(root.findtext('version'))}", str(path), checksum(path))
    for number, main in enumerate(root.iter("mainTerm")):
        walk(main, [], out, str(number))
    return out


def walk(term: ET.Element, trail: list[str], out: SourceData, key: str) -> None:
    title = clean(term.findtext("title"))
    path = [*trail, title] if title else trail
    add_line(out, " > ".join(path), term, key)
    for number, child in enumerate(term.findall("term")):
        walk(child, path, out, f"{key}.{number}")


def add_line(out: SourceData, path: str, term: ET.Element, key: str) -> None:
    see = term.find("see")
    codes = [clean(c.text) for c in term.findall("codes") + term.findall("code")]
    if see is not None:
        codes += [clean(c.text) for c in see.findall("codes") + see.findall("code")]
    see_text = clean(see.text) if see is not None else None
    use = clean(term.findtext("use")) or None
    if not (codes or see_text or use):
        return
    out.index.append(IndexEntry(NAME, path, codes[0] if codes else None, None, see_text))
    parts = [f"ICD-10-PCS Index: {path}"]
    parts += [f"-> {', '.join(codes)}"] if codes else []
    parts += [f"- see {see_text}"] if see_text else []
    parts += [f"- use {use}"] if use else []
    parts += [f"(table {all_text(term.find('tab'))})"] if term.find("tab") is not None else []
    out.passages.append(
        Passage(
            id=passage_id(NAME, key),
            source=NAME,
            system="icd10pcs",
            kind="index",
            text=" ".join(parts),
            version=out.version,
            title=path,
            code=codes[0] if codes else None,
            codes=tuple(codes),
        )
    )
