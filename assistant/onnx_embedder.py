"""The packaged MiniLM run by ONNX Runtime: the same vectors as sentence-transformers (cosine
1.0000 on the tests' texts) at about half the cost per query, and no torch in a serving process.
The ONNX file is exported once from the packaged weights, with torch, into the data folder."""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embedder import Embedder, packaged_model_path

MAX_TOKENS = 128  # as the sentence-transformers model is configured: passages are short
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
FIELDS = ("ids", "attention_mask", "type_ids")  # of a tokenizers Encoding, in INPUTS' order
EXPORTING = threading.Lock()
LENGTH_SLACK = 1.5  # a run's longest text is at most this times its shortest, plus 8 tokens


class OnnxMiniLM(Embedder):
    dimension = 384
    name = "all-MiniLM-L6-v2"

    def __init__(
        self,
        cache_dir: Path,
        model_path: Path | None = None,
        batch_size: int = 64,
        threads: int = 0,
    ) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        path = model_path or packaged_model_path()
        self.name = path.name if model_path else self.name
        self.batch_size = batch_size
        model_file = cache_dir / f"{self.name}.onnx"
        with EXPORTING:  # a server's query encoder and its background build start together
            if not model_file.is_file():
                export(path, model_file)
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads  # 0: every core (ingest); 1: one per request
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(
            str(model_file), options, providers=["CPUExecutionProvider"]
        )

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Texts of like length in one run: a run pads every text to its longest, so a long
        question's focus and its short concepts go in runs of their own (a 100-token focus
        padded three short concepts to 100 tokens each)."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        encoded = self.tokenizer.encode_batch(list(texts))
        for rows in like_lengths([sum(e.attention_mask) for e in encoded], self.batch_size):
            out[rows] = self.encode([encoded[i] for i in rows])
        return out

    def encode(self, encoded: list[Any]) -> np.ndarray:
        width = max(sum(e.attention_mask) for e in encoded)
        feed = {
            name: np.array([getattr(e, field)[:width] for e in encoded], dtype=np.int64)
            for name, field in zip(INPUTS, FIELDS, strict=True)
        }
        hidden = self.session.run(None, feed)[0]
        mask = feed["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)


def like_lengths(lengths: list[int], size: int) -> list[list[int]]:
    """The indices of ``lengths`` in runs of at most ``size``, shortest first, a new run
    starting where the next text is much longer than the run's first (padding would cost more
    than a run)."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    runs: list[list[int]] = []
    for i in order:
        run = runs[-1] if runs else None
        if run is None or len(run) >= size or lengths[i] > LENGTH_SLACK * lengths[run[0]] + 8:
            runs.append([i])
        else:
            run.append(i)
    return runs


def export(model_path: Path, target: Path) -> None:
    """Trace the transformer of the local sentence-transformers model into an ONNX file
    (written beside, then renamed: two workers starting at once cannot see half a file)."""
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
    transformer: Any = model[0].auto_model

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.transformer(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    # a padded pair, so that the trace keeps the attention mask's padding path
    sample = model.tokenizer(
        ["a sample", "a longer sample text"], padding=True, return_tensors="pt"
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}-{threading.get_ident()}.partial")
    with warnings.catch_warnings():  # the tracer warns about every shape it fixes
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Hidden().eval(),
            tuple(sample[name] for name in INPUTS),
            str(partial),
            input_names=list(INPUTS),
            output_names=["hidden"],
            dynamic_axes={name: {0: "batch", 1: "tokens"} for name in [*INPUTS, "hidden"]},
            opset_version=17,
            dynamo=False,
        )
    os.replace(partial, target)
