"""Search filters, expressed once and turned into SQL or a Chroma ``where``."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Filters:
    system: str | None = None
    kind: str | None = None
    source: str | None = None
    version: str | None = None

    def items(self) -> list[tuple[str, str]]:
        return [(f.name, v) for f in fields(self) if (v := getattr(self, f.name))]

    def sql(self, alias: str) -> tuple[str, list[str]]:
        pairs = self.items()
        return "".join(f" AND {alias}.{name} = ?" for name, _ in pairs), [v for _, v in pairs]

    def chroma(self) -> dict[str, Any] | None:
        pairs = [{name: value} for name, value in self.items()]
        if not pairs:
            return None
        return pairs[0] if len(pairs) == 1 else {"$and": pairs}
