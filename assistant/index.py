"""Everything a query needs, opened once from the settings: catalog, vectors, embedder."""

from __future__ import annotations

from functools import cached_property

from assistant.build_status import Notice
from assistant.catalog import Catalog
from assistant.embedder import Embedder, embedder_name, make_embedder
from assistant.errors import NotReady
from assistant.retrieval import Searcher
from assistant.settings import Settings
from assistant.vectorstore import StoreHandle


class Index:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        if not settings.catalog_path.is_file():
            raise NotReady(f"no index in {settings.data_dir}: run `medcode ingest` first")
        self.catalog = Catalog(settings.catalog_path)
        self.vectors = StoreHandle(settings, embedder_name(settings))

    @cached_property
    def embedder(self) -> Embedder:
        return make_embedder(self.settings, threads=1)

    @cached_property
    def searcher(self) -> Searcher:
        searcher = Searcher(self.catalog, self.vectors, self.embedder)
        searcher.notice = Notice(self.settings.data_dir)  # while an ingest stores vectors
        return searcher
