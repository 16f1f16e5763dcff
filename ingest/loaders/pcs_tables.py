"""ICD-10-PCS Tables XML (CMS). Every valid code is the cartesian product of the values a row
allows for characters 4-7 under a table's characters 1-3. The catalog holds every code with a
title built from the axis labels; the dense index holds one passage per table row (a row lists
all its codes), which keeps tens of thousands of near-identical titles out of the embedder."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from pathlib import Path

from assistant.errors import SourceError
from assistant.models import Code, Passage, SourceData, passage_id
from ingest.loaders.common import checksum, clean, head, parse_xml

NAME = "icd10pcs-tables"
SYSTEM = "icd10pcs"
Axis = list[tuple[str, str]]  # (character, label)


def detect(path: Path) -> bool:
    return "<ICD10PCS.tabular" in head(path)


def load(path: Path) -> SourceData:
    root = parse_xml(path, "ICD10PCS.tabular")
    out = SourceData(NAME, f"FY{clean(root.findtext('version'))}", str(path), checksum(path))
    for number, table in enumerate(root.iter("pcsTable")):
        read_table(path, table, out, number)
    return out


def axis_values(axis: ET.Element) -> Axis:
    return [(label.get("code", ""), clean(label.text)) for label in axis.findall("label")]


def read_table(path: Path, table: ET.Element, out: SourceData, number: int) -> None:
    head_axes = [axis_values(a) for a in table.findall("axis")]
    if len(head_axes) != 3 or any(len(a) != 1 for a in head_axes):
        raise SourceError(path, f"table {number + 1}: characters 1-3 need one value each")
    stem = "".join(a[0][0] for a in head_axes)
    stem_title = ", ".join(a[0][1] for a in head_axes)
    definition = clean(table.findtext("axis[@pos='3']/definition"))
    if not any(c.code == stem for c in out.codes[-400:]):  # a table may span several pcsTables
        out.codes.append(Code(SYSTEM, stem, stem_title, False, "table"))
    for row_number, row in enumerate(table.findall("pcsRow")):
        axes = [axis_values(a) for a in row.findall("axis")]
        if len(axes) != 4:
            raise SourceError(path, f"table {stem}, row {row_number + 1}: expected 4 axes")
        codes = [add_code(out, stem, stem_title, combo) for combo in itertools.product(*axes)]
        out.passages.append(row_passage(out, stem, stem_title, definition, axes, codes))


def add_code(
    out: SourceData, stem: str, stem_title: str, combo: tuple[tuple[str, str], ...]
) -> str:
    code = stem + "".join(char for char, _ in combo)
    title = f"{stem_title}: " + ", ".join(label for _, label in combo)
    out.codes.append(Code(SYSTEM, code, title, True, "code", stem))
    return code


def row_passage(
    out: SourceData,
    stem: str,
    stem_title: str,
    definition: str,
    axes: list[Axis],
    codes: list[str],
) -> Passage:
    names = ["Body part", "Approach", "Device", "Qualifier"]
    lines = [f"ICD-10-PCS table {stem}: {stem_title}"]
    if definition:
        lines.append(f"Definition: {definition}")
    for name, axis in zip(names, axes, strict=True):
        lines.append(f"{name}: " + "; ".join(f"{c} {label}" for c, label in axis))
    lines.append(
        f"Valid codes ({len(codes)}): "
        + ", ".join(codes[:60])
        + (" ..." if len(codes) > 60 else "")
    )
    body_parts = ", ".join(label for _, label in axes[0])
    return Passage(
        id=passage_id(NAME, f"{stem}:{codes[0]}"),
        source=NAME,
        system=SYSTEM,
        kind="code",
        text="\n".join(lines),
        version=out.version,
        title=f"{stem_title}, {body_parts}",
        code=stem,
        codes=tuple(codes),
    )
