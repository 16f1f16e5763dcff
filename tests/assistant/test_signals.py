"""Retrieval is a list of signals: a new one is a class with a name and a ``ranked`` method,
and its list is fused with the weight of that name."""

from __future__ import annotations

from dataclasses import dataclass, replace

from assistant.filters import Filters
from assistant.index import Index
from assistant.retrieval import ALL_MODES, SIGNALS, Ranking, Request, Searcher
from assistant.retrieval.codes import describing, describing_each, parents
from assistant.settings import Settings
from assistant.tuning import Weights


@dataclass(frozen=True)
class Tuned(Weights):
    pinned: float = 100.0


class Pinned:
    """Puts one code first, whatever the question."""

    name = "pinned"

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids
        self.seen: list[Request] = []

    def ranked(self, request: Request) -> Ranking:
        self.seen.append(request)
        return Ranking(self.ids)


def test_every_registered_signal_has_a_weight_and_a_mode() -> None:
    names = [signal.name for signal in SIGNALS]
    assert len(set(names)) == len(names)
    assert all(isinstance(getattr(Weights(), name), float) for name in names)
    assert set(names) < set(ALL_MODES)


def test_a_new_signal_is_one_class_and_one_line(default_index: Settings) -> None:
    index = Index(default_index)
    code = describing(index.catalog, "icd10cm", "A00.0", Filters(kind="code"))
    pinned = Pinned(code)
    searcher = Searcher(index.catalog, None, None, Tuned(), signals=(*SIGNALS, pinned))
    modes = (*ALL_MODES, "pinned")
    hits = searcher.search("type 2 diabetes with hyperglycemia", 3, modes=modes).hits
    assert hits[0].passage.code == "A00.0" and hits[0].via == ("pinned",)
    assert pinned.seen[0].query.focus and pinned.seen[0].filters == Filters()
    # left out of the modes, it has no say
    hits = searcher.search("type 2 diabetes with hyperglycemia", 3).hits
    assert "A00.0" not in [h.passage.code for h in hits] and len(pinned.seen) == 1
    # and with no weight, nothing either
    searcher.weights = replace(Tuned(), pinned=0.0)
    hits = searcher.search("type 2 diabetes with hyperglycemia", 3, modes=modes).hits
    assert hits[0].passage.code != "A00.0"


def test_codes_described_together_as_one_by_one(default_index: Settings) -> None:
    """The index signals read the passages of their codes in one query: each code gets what
    reading it alone gives, its own passage or else its parent's."""
    catalog = Index(default_index).catalog
    codes = Filters(kind="code")
    wanted = [("icd10cm", c) for c in ("A00.0", "E11.9", "S72.001A", "A00.0", "Z99.999")]
    together = describing_each(catalog, wanted, codes)
    for system, code in wanted:
        own = [pid for pid, _ in catalog.code_passages(system, code, codes)]
        assert together[(system, code)] == (own or parents(catalog, system, code, codes))
    assert together[("icd10cm", "E11.9")] and together[("icd10cm", "Z99.999")] == []
    base = catalog.code_passages("icd10cm", "S72.001", codes)
    assert together[("icd10cm", "S72.001A")] == [pid for pid, _ in base] != []
