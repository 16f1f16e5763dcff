from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.embedder import HashEmbedder, MiniLMEmbedder
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDCODE_SHARED_DIR", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"


def corpus_file(name: str) -> Path:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"needs ../shared/corpus/{name} (the official file is not beside the repo)")
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", corpus_dir=None, embedder="minilm")


@pytest.fixture(scope="session")
def minilm() -> MiniLMEmbedder:
    return MiniLMEmbedder()


@pytest.fixture(scope="session")
def hashed() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture(scope="session")
def default_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The packaged sources (ICD-10-CM tabular, GEMs) ingested once, with the hash test
    embedder so that it takes seconds; real-model ingests are tested on smaller files."""
    from ingest.run import ingest

    data = tmp_path_factory.mktemp("default") / "data"
    built = Settings(data_dir=data, corpus_dir=None, embedder="hash")
    results, errors = ingest(built, [], quiet=True)
    assert not errors and len(results) == 2
    yield built


def cli_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(MEDCODE_DATA_DIR=str(settings.data_dir), MEDCODE_EMBEDDER=settings.embedder)
    env.pop("MEDCODE_CORPUS_DIR", None)
    return env
