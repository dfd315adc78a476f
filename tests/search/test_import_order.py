"""usearch loaded before onnxruntime segfaults; the vector module must prevent that."""

from __future__ import annotations

import subprocess
import sys


def test_loading_the_ann_class_first_does_not_crash():
    code = (
        "from search.vectors import usearch_index_class; usearch_index_class(); "
        "import onnxruntime; print('ok')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
