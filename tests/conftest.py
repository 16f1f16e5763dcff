from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from assistant.embedder import HashEmbedder, MiniLMEmbedder
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDCODE_SHARED_DIR", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"


# fixtures that bring up a real model, a Chroma server, a language-model server or a browser:
# a test that uses one is in the integration tier (`make test-fast` leaves it out)
INTEGRATION_FIXTURES = frozenset(
    {"minilm", "onnx_model", "real_index", "chroma_server", "llm_url", "llm_server"}
    | {"hostile_index"}
    | {"browser", "widget_server"}
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if INTEGRATION_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)


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
    embedder and the in-memory vector index so that it takes seconds; real-model ingests and
    Chroma are tested on smaller files. A server or command started on it in another process
    finds no vectors (meaningless ones, with the hash embedder): the catalog and BM25 answer."""
    from ingest.run import ingest

    data = tmp_path_factory.mktemp("default") / "data"
    built = Settings(data_dir=data, corpus_dir=None, embedder="hash", vectors="memory")
    results, errors = ingest(built, [], quiet=True)
    assert not errors and len(results) == 2
    yield built


def wait_until_up(url: str, process: object, seconds: float = 120) -> None:
    """Poll a server this test started until it answers 200, or fail saying why."""
    import time

    import httpx

    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:  # type: ignore[attr-defined]
            process.kill()  # type: ignore[attr-defined]
            raise AssertionError(f"server at {url} did not start")
        time.sleep(0.3)


def cli_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(MEDCODE_DATA_DIR=str(settings.data_dir), MEDCODE_EMBEDDER=settings.embedder)
    env.pop("MEDCODE_CORPUS_DIR", None)
    return env


MINI_CHAPTERS = {"4", "10", "12"}


def trimmed_tabular(folder: Path, chapters: set[str] = MINI_CHAPTERS) -> Path:
    """The real FY2026 Tabular List cut down to a few chapters, so that a real-model index
    builds in seconds."""
    import xml.etree.ElementTree as ET

    from ingest.loaders.icd10cm_tabular import packaged_file

    tree = ET.parse(packaged_file())
    root = tree.getroot()
    for chapter in root.findall("chapter"):
        if chapter.findtext("name") not in chapters:
            root.remove(chapter)
    path = folder / "icd10cm-tabular-mini.xml"
    tree.write(path, encoding="utf-8", xml_declaration=True)
    return path


def index_slice(folder: Path, main_terms: Iterable[str]) -> Path:
    """Whole blocks (a main term, as the index prints it, and its sub-terms) of the real
    flattened Alphabetic Index, so levels stay valid."""
    import csv

    wanted = set(main_terms)
    source = corpus_file("icd10cm_index_2025_flat.csv")
    with source.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    kept, keep = [rows[0]], False
    for row in rows[1:]:
        if row[2] == "0":
            keep = row[3] in wanted
        if keep:
            kept.append(row)
    out = folder / "icd10cm_index_2025_flat.csv"
    with out.open("w", newline="") as handle:
        csv.writer(handle).writerows(kept)
    return out


def trimmed_gems(folder: Path, gems: Path) -> Path:
    """The GEMs and ICD-9-CM titles of diabetes (250) and respiratory (460-519) codes only."""
    from ingest.loaders.icd9_gems import titles_file

    def keep(line: str) -> bool:
        code = line.strip('"').split('"')[0].split(" ")[0]
        return code.startswith(("250", "46", "47", "48", "49", "50", "51"))

    lines = gems.read_text().splitlines()
    out = folder / "gems" / gems.name
    titles = titles_file(out)
    titles.parent.mkdir(parents=True)
    out.write_text("\n".join([lines[0], *filter(keep, lines[1:])]) + "\n")
    source_titles = titles_file(gems).read_text(encoding="latin-1").splitlines()
    titles.write_text("\n".join(filter(keep, source_titles)) + "\n", encoding="latin-1")
    return out


@pytest.fixture(scope="session")
def real_index(tmp_path_factory: pytest.TempPathFactory, minilm: MiniLMEmbedder) -> Settings:
    """Chapters 4, 10 and 12 of the tabular list, the GEMs and (when ../shared is there) the
    guidelines, embedded with the real packaged MiniLM into a real embedded Chroma."""
    from ingest.loaders import icd9_gems
    from ingest.run import ingest

    folder = tmp_path_factory.mktemp("real")
    built = Settings(data_dir=folder / "data", corpus_dir=None, embedder="minilm")
    files = [trimmed_tabular(folder), trimmed_gems(folder, icd9_gems.packaged_file())]
    guidelines = CORPUS / "icd10cm-guidelines-FY2026.pdf"
    files += [guidelines] if guidelines.is_file() else []
    _, errors = ingest(built, files, quiet=True, embedder=minilm)
    assert not errors
    return built


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One real `chroma run` on 127.0.0.1 for the whole session."""
    from tests.chroma import ChromaServer

    server = ChromaServer(tmp_path_factory.mktemp("chroma")).start()
    yield server
    server.stop()
