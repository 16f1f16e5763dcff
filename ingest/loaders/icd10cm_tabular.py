"""ICD-10-CM Tabular List XML (CDC): chapters, blocks, codes, notes and 7th characters."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from assistant.codes import icd10cm_display, to_key
from assistant.models import Code, Note, Passage, SourceData, passage_id
from ingest.loaders.common import all_text, checksum, clean, head, parse_xml

NAME = "icd10cm-tabular"
SYSTEM = "icd10cm"
NOTE_TAGS = {
    "inclusionTerm": "inclusion",
    "includes": "includes",
    "excludes1": "excludes1",
    "excludes2": "excludes2",
    "codeFirst": "code_first",
    "useAdditionalCode": "use_additional",
    "codeAlso": "code_also",
    "notes": "note",
    "sevenChrNote": "seventh_note",
}
SKIP_RULE = re.compile(r"7th characters? ((?:[A-Z](?:,| and| or)? ?)+) do(?:es)? not apply(.*)")
NOTE_LABELS = {
    "inclusion": "Inclusion terms",
    "includes": "Includes",
    "excludes1": "Excludes1",
    "excludes2": "Excludes2",
    "code_first": "Code first",
    "use_additional": "Use additional code",
    "code_also": "Code also",
    "note": "Note",
    "seventh_note": "7th character note",
    "seventh": "7th characters",
}


def packaged_file() -> Path:
    data = resources.files("simple_icd_10_cm") / "data"
    return Path(str(next(p for p in data.iterdir() if p.name.startswith("icd10c-tabular"))))


def detect(path: Path) -> bool:
    return "<ICD10CM.tabular" in head(path)


@dataclass
class Context:
    version: str
    seventh: list[tuple[str, str]]  # nearest 7th-character definition
    out: SourceData
    exceptions: list[tuple[set[str], set[str]]]  # (7th chars, 6th chars they skip)


def load(path: Path) -> SourceData:
    root = parse_xml(path, "ICD10CM.tabular")
    version = f"FY{clean(root.findtext('version'))}"
    out = SourceData(NAME, version, str(path), checksum(path))
    for chapter in root.iter("chapter"):
        read_chapter(chapter, Context(version, [], out, []))
    return out


def read_chapter(chapter: ET.Element, ctx: Context) -> None:
    name = clean(chapter.findtext("name"))
    add(ctx, chapter, name, clean(chapter.findtext("desc")), "chapter", None)
    for section in chapter.findall("section"):
        block = section.get("id") or ""
        block = block if "-" in block else f"{block}-{block}"  # never the key of a category
        add(ctx, section, block, clean(section.findtext("desc")), "block", name)
        for diag in section.findall("diag"):
            read_diag(diag, block, ctx)


def read_diag(diag: ET.Element, parent: str, ctx: Context) -> None:
    code = clean(diag.findtext("name"))
    seventh = seventh_chars(diag) or ctx.seventh
    children = diag.findall("diag")
    key = to_key(code)
    level = "category" if len(key) == 3 else "subcategory" if children else "code"
    billable = not children and not seventh
    add(ctx, diag, key, clean(diag.findtext("desc")), level, parent, billable, seventh)
    inner = Context(ctx.version, seventh, ctx.out, ctx.exceptions + seventh_exceptions(diag))
    for child in children:
        read_diag(child, key, inner)
    if not children and seventh:
        expand_seventh(key, clean(diag.findtext("desc")), seventh, ctx)


def seventh_chars(element: ET.Element) -> list[tuple[str, str]]:
    definition = element.find("sevenChrDef")
    if definition is None:
        return []
    return [(ext.get("char", ""), clean(ext.text)) for ext in definition.findall("extension")]


def seventh_exceptions(element: ET.Element) -> list[tuple[set[str], set[str]]]:
    """Read notes such as "7th characters D and S do not apply to codes ... with 6th character
    7 ..., or 8 ..." into ({"D", "S"}, {"7", "8"})."""
    found = []
    for note in element.iterfind("notes/note"):
        match = SKIP_RULE.search(all_text(note))
        if match:
            sevenths = set(re.findall(r"\b[A-Z]\b", match.group(1)))
            sixths = set(re.findall(r"(?:character|or) (\d)\b", match.group(2)))
            found.append((sevenths, sixths))
    return found


def expand_seventh(key: str, title: str, seventh: list[tuple[str, str]], ctx: Context) -> None:
    stem = key.ljust(6, "X")
    skipped = {c for chars, sixths in ctx.exceptions if stem[5] in sixths for c in chars}
    for char, meaning in seventh:
        if char in skipped:
            continue
        full = stem + char
        ctx.out.codes.append(
            Code(SYSTEM, icd10cm_display(full), f"{title}, {meaning}", True, "code", key)
        )


def add(
    ctx: Context,
    element: ET.Element,
    key: str,
    title: str,
    level: str,
    parent: str | None,
    billable: bool = False,
    seventh: list[tuple[str, str]] | None = None,
) -> None:
    display = icd10cm_display(key) if level not in ("chapter", "block") else key
    ctx.out.codes.append(Code(SYSTEM, display, title, billable, level, parent))
    notes = [Note(SYSTEM, display, kind, text) for kind, text in read_notes(element)]
    if element.find("sevenChrDef") is not None:
        notes += [Note(SYSTEM, display, "seventh", f"{c}: {m}") for c, m in seventh or []]
    ctx.out.notes.extend(notes)
    passage = code_passage(display, title, level, billable, notes, ctx)
    if level == "code" and seventh and element.find("sevenChrDef") is None:
        chars = "; ".join(f"{c} {m}" for c, m in seventh)
        passage = replace(passage, text=f"{passage.text}\n7th character required: {chars}")
    ctx.out.passages.append(passage)


def read_notes(element: ET.Element) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for child in element:
        kind = NOTE_TAGS.get(child.tag)
        if kind:
            found += [(kind, all_text(note)) for note in child.findall("note")]
    return found


def code_passage(
    code: str, title: str, level: str, billable: bool, notes: list[Note], ctx: Context
) -> Passage:
    label = {"chapter": f"Chapter {code}", "block": f"Block {code}"}.get(level, code)
    status = "billable" if billable else "not billable: choose a more specific code"
    if level in ("chapter", "block"):
        status = "heading, not a code"
    lines = [f"{label} {title}", f"ICD-10-CM {ctx.version}; {status}."]
    for kind in NOTE_LABELS:
        texts = [n.text for n in notes if n.kind == kind]
        if texts:
            lines.append(f"{NOTE_LABELS[kind]}: " + "; ".join(texts))
    return Passage(
        id=passage_id(NAME, code),
        source=NAME,
        system=SYSTEM,
        kind="code",
        text="\n".join(lines),
        version=ctx.version,
        title=title,
        code=code if level not in ("chapter", "block") else None,
        codes=(code,),
    )
