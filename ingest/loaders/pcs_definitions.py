"""ICD-10-PCS Definitions XML: root operations, approaches, devices, body parts by section."""

from __future__ import annotations

from pathlib import Path

from assistant.models import Passage, SourceData, passage_id
from ingest.loaders.common import all_text, checksum, clean, head, parse_xml

NAME = "icd10pcs-definitions"
FIELDS = [("definition", "Definition"), ("explanation", "Explanation"), ("includes", "Includes")]


def detect(path: Path) -> bool:
    return "<ICD10PCS.definitions" in head(path)


def load(path: Path) -> SourceData:
    root = parse_xml(path, "ICD10PCS.definitions")
    out = SourceData(NAME, f"FY{clean(root.findtext('version'))}", str(path), checksum(path))
    for section in root.iter("section"):
        section_title = clean(section.findtext("title"))
        for axis in section.findall("axis"):
            axis_title = clean(axis.findtext("title"))
            for number, term in enumerate(axis.findall("terms")):
                title = clean(term.findtext("title"))
                lines = [
                    f"ICD-10-PCS {section_title} ({section.get('code')}), "
                    f"{axis_title} (character {axis.get('pos')}): {title}"
                ]
                for tag, label in FIELDS:
                    lines += [f"{label}: {all_text(e)}" for e in term.findall(tag)]
                key = f"{section.get('code')}:{axis.get('pos')}:{title}:{number}"
                out.passages.append(
                    Passage(
                        id=passage_id(NAME, key),
                        source=NAME,
                        system="icd10pcs",
                        kind="definition",
                        text="\n".join(lines),
                        version=out.version,
                        title=title,
                        trail=f"{section_title} > {axis_title}",
                    )
                )
    return out
