"""Search filters, expressed once and turned into SQL or a Chroma ``where``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Filters:
    system: str | None = None
    kind: str | None = None
    source: str | None = None
    version: str | None = None
    edition: str | None = None  # "FY2025": passages of that edition only, of any source
    # the source editions searched ("icd10pcs-tables@FY2025", ...); empty: those in use (the
    # newest loaded edition of each source), as a date of service in the current year picks
    shelves: tuple[str, ...] = ()

    def items(self) -> list[tuple[str, str]]:
        """The single-valued filters that are set, as (field, value)."""
        return [
            (f.name, v)
            for f in fields(self)
            if f.name != "shelves" and (v := getattr(self, f.name))
        ]

    @property
    def table(self) -> str:
        """The passages a search reads: every edition when it names some, else those in use."""
        return "passages_all" if self.shelves or self.edition else "passages"

    def sql(self, alias: str) -> tuple[str, list[str]]:
        pairs = self.items()
        where = "".join(f" AND {alias}.{name} = ?" for name, _ in pairs)
        params = [v for _, v in pairs]
        if self.shelves:
            where += f" AND {alias}.shelf IN ({','.join('?' * len(self.shelves))})"
            params += list(self.shelves)
        return where, params

    def chroma(self) -> dict[str, Any] | None:
        pairs: list[dict[str, Any]] = [{name: value} for name, value in self.items()]
        if self.shelves:
            pairs.append({"shelf": {"$in": list(self.shelves)}})
        if not pairs:
            return None
        return pairs[0] if len(pairs) == 1 else {"$and": pairs}


# the single-valued filters (Filters.items names them)
FILTER_NAMES = tuple(f.name for f in fields(Filters) if f.name != "shelves")


@dataclass(frozen=True)
class Column:
    """One filter field's values, as a number per row into the distinct ones."""

    codes: np.ndarray
    values: tuple[str | None, ...]

    @classmethod
    def of(cls, values: list[str | None]) -> Column:
        distinct = tuple(dict.fromkeys(values))
        number = {value: at for at, value in enumerate(distinct)}
        return cls(np.array([number[v] for v in values], dtype=np.int32), distinct)

    @classmethod
    def saved(cls, arrays: Any, name: str) -> Column:
        """The column ``name`` as HeldWords.save wrote it."""
        values = json.loads(bytes(arrays[f"values_{name}"]))
        return cls(arrays[f"codes_{name}"], tuple(values))

    def equals(self, value: str) -> np.ndarray:
        if value not in self.values:
            return np.zeros(len(self.codes), dtype=bool)
        found: np.ndarray = self.codes == self.values.index(value)
        return found

    def among(self, values: tuple[str, ...]) -> np.ndarray:
        numbers = [at for at, value in enumerate(self.values) if value in values]
        found: np.ndarray = np.isin(self.codes, numbers)
        return found


def passing(
    columns: dict[str, Column],
    wanted: Sequence[tuple[str, str]],
    shelves: tuple[str, ...] = (),
) -> np.ndarray:
    """Which rows (filter fields held a column each) pass the single-valued filters ``wanted``
    (see Filters.items) and lie on ``shelves`` (any when none)."""
    mask = np.ones(len(next(iter(columns.values())).codes), dtype=bool)
    for name, value in wanted:
        mask &= columns[name].equals(value)
    if shelves:
        mask &= columns["shelf"].among(shelves)
    return mask


@dataclass(frozen=True)
class Pool:
    """Passages best first, with the fields filters use held a column each: a wide query's
    hits are filtered by an array comparison per field, not a dict a passage (a search filters
    its 500 lexical hits two or three times)."""

    ids: list[str]
    ranks: list[float]  # FTS5's rank: lower is better
    fields: dict[str, Column]

    @classmethod
    def of_rows(cls, rows: list[Any]) -> Pool:
        """From rows holding an id, a rank and each field filters use (SQLite rows)."""
        return cls(
            [row["id"] for row in rows],
            [row["rank"] for row in rows],
            {name: Column.of([row[name] for row in rows]) for name in FILTER_NAMES},
        )

    def rows(self) -> list[dict[str, Any]]:
        """A dict a passage: its id, rank and fields."""
        columns = {name: [f.values[c] for c in f.codes.tolist()] for name, f in self.fields.items()}
        return [
            {"id": pid, "rank": rank, **{name: got[at] for name, got in columns.items()}}
            for at, (pid, rank) in enumerate(zip(self.ids, self.ranks, strict=True))
        ]

    def kept(self, wanted: list[tuple[str, str]]) -> list[str]:
        """The ids, in order, of the passages whose fields equal ``wanted``."""
        if not wanted:
            return list(self.ids)
        ids = self.ids
        return [ids[at] for at in np.flatnonzero(passing(self.fields, wanted)).tolist()]

    def __len__(self) -> int:
        return len(self.ids)
