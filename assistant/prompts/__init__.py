"""Prompts live in text files next to this module and are read once."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def prompt(name: str) -> str:
    return (resources.files(__package__) / f"{name}.txt").read_text(encoding="utf-8").strip()
