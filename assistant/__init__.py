"""medcode's core, usable from Python without the server:

    from assistant import Assistant, Index, Settings, Turn

    bot = Assistant(Index(Settings(data_dir="data")))
    reply = bot.answer([Turn("user", "type 2 diabetes with hyperglycemia")], use_llm=False)
    print(reply.answer, [c.code for c in reply.codes])

The names below are loaded on first use, so that importing one small module of the package
(``assistant.models`` from a loader, say) does not load the search stack with it."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

PUBLIC = {
    "Answer": "assistant.answer_types",
    "Citation": "assistant.answer_types",
    "Missing": "assistant.answer_types",
    "Assistant": "assistant.chat",
    "Turn": "assistant.chat",
    "Event": "assistant.events",
    "Catalog": "assistant.catalog",
    "CodeInfo": "assistant.catalog",
    "Filters": "assistant.filters",
    "Index": "assistant.index",
    "Hit": "assistant.retrieval",
    "Searcher": "assistant.retrieval",
    "SearchResult": "assistant.retrieval",
    "Settings": "assistant.settings",
    "ChatModel": "assistant.llm",
    "OpenAIChat": "assistant.llm",
}
__all__ = [
    "Answer",
    "Assistant",
    "Catalog",
    "ChatModel",
    "Citation",
    "CodeInfo",
    "Event",
    "Filters",
    "Hit",
    "Index",
    "Missing",
    "OpenAIChat",
    "SearchResult",
    "Searcher",
    "Settings",
    "Turn",
]

if TYPE_CHECKING:
    from assistant.answer_types import Answer, Citation, Missing
    from assistant.catalog import Catalog, CodeInfo
    from assistant.chat import Assistant, Turn
    from assistant.events import Event
    from assistant.filters import Filters
    from assistant.index import Index
    from assistant.llm import ChatModel, OpenAIChat
    from assistant.retrieval import Hit, Searcher, SearchResult
    from assistant.settings import Settings


def __getattr__(name: str) -> Any:
    if name not in PUBLIC:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    return getattr(import_module(PUBLIC[name]), name)
