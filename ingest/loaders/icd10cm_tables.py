"""ICD-10-CM index XML files (``ICD10CM.index``): the Table of Drugs and Chemicals, the Neoplasm
Table and the Index to External Causes. Table cells keep the column heading that gives each
code its meaning."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from assistant.models import IndexEntry, Passage, SourceData, passage_id
from ingest.loaders.common import all_text, checksum, clean, head, parse_xml
from ingest.loaders.icd10cm_index import index_passage

NAME = "icd10cm-tables"
LABELS = {
    "icd10cm-drugs": "ICD-10-CM Table of Drugs and Chemicals",
    "icd10cm-neoplasms": "ICD-10-CM Neoplasm Table",
    "icd10cm-external-causes": "ICD-10-CM Index to External Causes",
}


def detect(path: Path) -> bool:
    return "<ICD10CM.index" in head(path)


def load(path: Path) -> SourceData:
    root = parse_xml(path, "ICD10CM.index")
    headings = {h.get("col", ""): clean(h.text) for h in root.iterfind("indexHeading/head")}
    source = source_name(headings, clean(root.findtext("title")))
    out = SourceData(source, f"FY{clean(root.findtext('version'))}", str(path), checksum(path))
    for number, main in enumerate(root.iter("mainTerm")):
        walk(main, [], headings, out, str(number))
    return out


def source_name(headings: dict[str, str], title: str) -> str:
    joined = " ".join(headings.values()).lower()
    if "poisoning" in joined:
        return "icd10cm-drugs"
    if "malignant" in joined:
        return "icd10cm-neoplasms"
    return "icd10cm-external-causes" if "external" in title.lower() else "icd10cm-index-xml"


def term_title(term: ET.Element) -> str:
    return all_text(term.find("title"))


def walk(
    term: ET.Element, trail: list[str], headings: dict[str, str], out: SourceData, key: str
) -> None:
    path = [*trail, term_title(term)]
    text_path = " > ".join(p for p in path if p)
    cells = [
        (headings.get(c.get("col", ""), c.get("col", "")), clean(c.text))
        for c in term.findall("cell")
    ]
    cells = [(heading, code) for heading, code in cells if code and code != "--"]
    if cells:
        add_row(out, text_path, cells, key)
    else:
        add_line(out, text_path, term, key)
    for number, child in enumerate(term.findall("term")):
        walk(child, path, headings, out, f"{key}.{number}")


def add_row(out: SourceData, path: str, cells: list[tuple[str, str]], key: str) -> None:
    for heading, code in cells:
        out.index.append(IndexEntry(out.source, path, code, heading))
    listing = "; ".join(f"{heading}: {code}" for heading, code in cells)
    if out.source == "icd10cm-drugs":
        listing += " (add the 7th character the Tabular List requires)"
    out.passages.append(
        Passage(
            id=passage_id(out.source, key),
            source=out.source,
            system="icd10cm",
            kind="index",
            text=f"{LABELS.get(out.source, out.source)}: {path}. {listing}",
            version=out.version,
            title=path,
            code=cells[0][1],
            codes=tuple(code.rstrip("-") for _, code in cells),
        )
    )


def add_line(out: SourceData, path: str, term: ET.Element, key: str) -> None:
    code = clean(term.findtext("code")) or clean(term.findtext("subcat")) or None
    see = clean(term.findtext("see")) or clean(term.findtext("seecat")) or None
    see_also = clean(term.findtext("seeAlso")) or None
    if not (code or see or see_also):
        return
    out.index.append(IndexEntry(out.source, path, code, None, see, see_also))
    out.passages.append(
        index_passage(out, path, code, see, see_also, key, LABELS.get(out.source, out.source))
    )
