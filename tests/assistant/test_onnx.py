"""The ONNX Runtime embedder gives the same vectors as sentence-transformers, so an index built
with either serves queries embedded by the other."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.embedder import MiniLMEmbedder
from assistant.onnx_embedder import OnnxMiniLM, like_lengths

TEXTS = [
    "type 2 diabetic with high blood sugar",
    "E11.65",
    "Hives - see Urticaria",
    "Ménière's disease, bilateral; café-au-lait spots",
    "",
    "Excludes1: " + "long passage text about sepsis and septic shock " * 40,  # over 128 tokens
]


@pytest.fixture(scope="module")
def onnx_model(tmp_path_factory: pytest.TempPathFactory) -> OnnxMiniLM:
    return OnnxMiniLM(tmp_path_factory.mktemp("models"), batch_size=4)


def test_same_vectors_as_sentence_transformers(
    onnx_model: OnnxMiniLM, minilm: MiniLMEmbedder
) -> None:
    ours = onnx_model.embed_documents(TEXTS)
    reference = minilm.embed_documents(TEXTS)
    assert ours.shape == reference.shape == (len(TEXTS), 384)
    assert np.min(np.sum(ours * reference, axis=1)) > 0.9999
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    query = onnx_model.embed_query(TEXTS[0])
    assert float(query @ reference[0]) > 0.9999


def test_batches_keep_their_order(onnx_model: OnnxMiniLM) -> None:
    one_by_one = np.stack([onnx_model.embed_query(t) for t in TEXTS])
    assert np.allclose(onnx_model.embed_batch(TEXTS), one_by_one, atol=1e-5)
    assert onnx_model.embed_batch([]).shape == (0, 384)


def test_exported_once(onnx_model: OnnxMiniLM, tmp_path: Path) -> None:
    first = OnnxMiniLM(tmp_path)
    model_file = tmp_path / "all-MiniLM-L6-v2.onnx"
    stamp = model_file.stat().st_mtime_ns
    OnnxMiniLM(tmp_path)
    assert model_file.stat().st_mtime_ns == stamp and first.name == "all-MiniLM-L6-v2"
    assert not list(tmp_path.glob("*.partial"))


def test_runs_group_texts_of_like_length() -> None:
    # a long focus runs alone; its short concepts run together, not padded to its length
    assert like_lengths([100, 5, 6, 9], 64) == [[1, 2, 3], [0]]
    assert like_lengths([5, 5, 5], 2) == [[0, 1], [2]]
    assert like_lengths([], 8) == []
