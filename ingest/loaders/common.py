"""Helpers the loaders share: checksums, safe XML parsing, text clean-up."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from assistant.errors import SourceError


def checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def parse_xml(path: Path, root_tag: str) -> ET.Element:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise SourceError(path, f"not well-formed XML ({exc.msg})", line) from exc
    if root.tag != root_tag:
        raise SourceError(path, f"expected an XML root <{root_tag}>, found <{root.tag}>")
    return root


def clean(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def all_text(element: ET.Element | None) -> str:
    return clean(" ".join(element.itertext())) if element is not None else ""


def head(path: Path, size: int = 4096) -> str:
    with path.open("rb") as handle:
        return handle.read(size).decode("utf-8", errors="replace")
