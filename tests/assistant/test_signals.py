"""Retrieval is a list of signals: a new one is a class with a name and a ``ranked`` method,
and its list is fused with the weight of that name."""

from __future__ import annotations

from dataclasses import dataclass, replace

from assistant.filters import Filters
from assistant.index import Index
from assistant.retrieval import ALL_MODES, SIGNALS, Ranking, Request, Searcher
from assistant.retrieval.codes import describing
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
