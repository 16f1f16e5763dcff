"""The catalog of official sources medcode knows how to load."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class KnownSource:
    name: str
    title: str
    publisher: str
    version: str
    licence: str
    offered_at: str
    loader: str
    packaged: str | None = None


def known_sources() -> list[KnownSource]:
    text = (resources.files("corpus") / "sources.toml").read_text(encoding="utf-8")
    return [KnownSource(**entry) for entry in tomllib.loads(text)["source"]]
