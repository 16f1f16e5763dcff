"""The core's public names, and the five lines of the README that use them."""

from importlib import import_module

import pytest

import assistant
from assistant.settings import Settings
from tests.fresh import in_fresh_python


def test_every_public_name_resolves() -> None:
    assert sorted(assistant.__all__) == sorted(assistant.PUBLIC)
    for name in assistant.__all__:
        found = getattr(assistant, name)
        assert found is getattr(import_module(assistant.PUBLIC[name]), name)
        assert getattr(found, "__name__", name) == name  # Event is a union of event types


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = assistant.Nope


def test_a_small_module_does_not_load_the_search_stack() -> None:
    code = "import sys, assistant.models; print('assistant.retrieval' in sys.modules)"
    assert in_fresh_python(code).strip() == "False"


def test_the_readme_example_answers(default_index: Settings) -> None:
    from assistant import Assistant, Index, Turn

    bot = Assistant(Index(default_index))
    reply = bot.answer([Turn("user", "E11.9")], use_llm=False)
    assert "E11.9" in [c.code for c in reply.codes]
    assert reply.citations and reply.mode == "extractive"


def test_the_core_imports_nothing_from_ingest_or_api() -> None:
    import ast
    from pathlib import Path

    core = Path(assistant.__file__).parent
    for path in core.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in ("ingest", "api", "cli"), f"{path}: {name}"


def test_sql_lives_in_the_catalog_and_the_lexical_index() -> None:
    import re
    from pathlib import Path

    root = Path(assistant.__file__).parent.parent
    statement = re.compile(r"\b(?:SELECT|INSERT|UPDATE|DELETE)\s")
    holding = {
        str(p.relative_to(root))
        for folder in ("assistant", "ingest", "api", "cli", "bench")
        for p in (root / folder).rglob("*.py")
        if statement.search(p.read_text())
    }
    # reads in the catalog, writes next to the schema, BM25 in the lexical index
    assert holding == {"assistant/catalog.py", "assistant/schema.py", "assistant/lexical.py"}
