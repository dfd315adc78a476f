"""The int8-matmul query model is derived from the packaged weights, once, and embeds like it."""

from __future__ import annotations

import numpy as np

from search import embedding

TEXTS = [
    "how do transformers store facts",
    "Diffusion models for protein structure generation",
    "We propose a benchmark of 1,200 multi-step reasoning tasks and evaluate 14 language models.",
]


def test_quantized_model_is_derived_once_into_the_model_dir(settings, tmp_path):
    settings.SEARCH_MODEL_DIR = tmp_path / "models"
    path = embedding.quantized_model_path()
    assert path.parent == tmp_path / "models"
    # int8 weights: about a quarter of the float32 model ORT would otherwise hold in memory
    assert 15e6 < path.stat().st_size < 40e6
    stamp = path.stat().st_mtime_ns
    assert embedding.quantized_model_path() == path
    assert path.stat().st_mtime_ns == stamp  # reused, not derived again
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary files left


def test_quantized_model_embeds_like_the_packaged_one():
    float_model = embedding.MiniLMOnnx(name="reference", max_length=128)
    int8_model = embedding.get_embedder("minilm-dq8-128")
    a, b = float_model.embed(TEXTS), int8_model.embed(TEXTS)
    assert b.shape == (3, 384)
    assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    same_text = (a * b).sum(axis=1)
    assert same_text.min() > 0.98
    # ... and different texts stay far apart, so the agreement above is not trivial
    assert float(b[0] @ b[2]) < 0.6


def test_a_query_runs_on_one_thread_and_bulk_embedding_on_more(settings):
    settings.SEARCH_EMBEDDING_THREADS = 2
    model = embedding.MiniLMOnnx(name="threads", max_length=128, quantized=True)
    alone = model.embed(TEXTS[:1])
    assert sorted(model._sessions) == [1]
    bulk = model.embed(TEXTS)
    assert sorted(model._sessions) == [1, 2]
    assert model._sessions[1].get_session_options().intra_op_num_threads == 1
    assert model._sessions[2].get_session_options().intra_op_num_threads == 2
    # A text's vector does not depend on what else is embedded with it: a query and the
    # stored paper with the same text agree (int8 activation ranges are per input).
    assert float(alone[0] @ bulk[0]) > 0.9999


def test_a_derivation_killed_midway_leaves_files_the_next_run_removes(settings, tmp_path):
    """kill -9 during the first derivation (the ~90 MB temporary files), then start again."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    models = tmp_path / "models"
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environ.update(DAILYPAPERS_DATA_DIR=str(tmp_path / "data"), SEARCH_MODEL_DIR=str(models))
    code = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'dailypapers.settings'; "
        "django.setup(); from search import embedding; embedding.quantized_model_path()"
    )
    repo = Path(__file__).resolve().parents[2]
    child = subprocess.Popen([sys.executable, "-c", code], env=environ, cwd=repo)
    try:
        deadline = time.monotonic() + 120
        while not list(models.glob(".minilm-*")) and time.monotonic() < deadline:
            assert child.poll() is None, "the derivation ended before it could be killed"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    leftovers = list(models.glob(".minilm-*"))
    assert leftovers, "no temporary file to clean up"
    settings.SEARCH_MODEL_DIR = models
    path = embedding.quantized_model_path()
    assert [p.name for p in models.iterdir()] == [path.name]


def test_a_derivation_in_progress_is_left_alone(tmp_path):
    import os

    mine = tmp_path / f".minilm-l6-dq8-x.fp32-{os.getpid()}-1.onnx"
    mine.write_bytes(b"partial")
    dead = tmp_path / ".minilm-l6-dq8-x.999999999-1.onnx"
    dead.write_bytes(b"partial")
    old = tmp_path / f".minilm-l6-dq8-x.{os.getpid()}-2.onnx"
    old.write_bytes(b"partial")
    os.utime(old, (0, 0))
    assert sorted(embedding.remove_stale_temp_files(tmp_path)) == sorted([dead, old])
    assert mine.exists()
