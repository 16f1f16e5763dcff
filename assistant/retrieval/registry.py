"""Every retrieval signal, in the order their votes are summed. A new signal is one module
with a class holding a ``name`` (its weight in ``Weights``) and a ``ranked`` method, plus one
line here."""

from __future__ import annotations

from assistant.retrieval.bm25 import Lexical
from assistant.retrieval.exact import Exact
from assistant.retrieval.guideline_terms import Defined
from assistant.retrieval.index_lines import IndexLines
from assistant.retrieval.index_lookup import Lookup
from assistant.retrieval.passage_vectors import Dense
from assistant.retrieval.signal import Signal
from assistant.retrieval.title_vectors import Title

SIGNALS: tuple[Signal, ...] = (
    Exact(),
    Lexical(),
    Dense(),
    Title(),
    IndexLines(),
    Lookup(),
    Defined(),
)
# the signals' names, and the reranking step that reads qualifiers off code titles
ALL_MODES = (*(signal.name for signal in SIGNALS), "qualifiers")
