"""Latency (p50/p99) of the HTTP search API and peak RSS of the server, at 58k real arXiv
papers and at 1M papers synthesised from them.

    flock /tmp/dailypapers-bench.lock .venv/bin/python -u bench/search_latency.py --scale 58k
    flock /tmp/dailypapers-bench.lock .venv/bin/python -u bench/search_latency.py --scale 1m

How the data is made (the papers come from ../shared/data/arxiv, 57,852 real abstracts):
- 58k: the real papers (titles, abstracts, authors). Keyword index: real text.
- 1m: the real papers plus synthetic ones; a synthetic abstract is 4-8 sentences drawn from
  random real abstracts, its title a random real title, its authors a random real list.
- Vectors: --embed real papers (default 2,000) are embedded with the default model; every
  other paper gets a "noisy mixture": a random convex mix of 3 embedded vectors plus Gaussian
  noise (sigma 0.02 per dimension), L2-normalised — so neighbourhoods are realistic-ish in
  density and the HNSW graph does real work. (Embedding all 58k would take ~1 h here.)
- Papers are written to a fresh SQLite DB (bulk_create), with their authors as Author and
  PaperAuthor rows (~6 per paper, as imported papers have: responses carry real author lists),
  and the index files are written directly with the search module's own writers (tantivy +
  HNSW), as a rebuild would, skipping only the embedding model. A --reuse data dir without
  author rows gets them added first.
Queries: unique 2-4 word queries cut from real titles (no query-embedding cache hits), in a
seeded random order, sent one at a time over HTTP to gunicorn (1 worker, 1 thread: the sync
worker, a new connection per request) on 127.0.0.1. The modes take turns request by request
(3 hybrid, 1 keyword, 1 semantic in every 5), so each sees the same mix of queries and the
same moments of a VM whose speed drifts. (Sorted queries would give each mode its own
alphabetical slice: keyword's would hold the "large language model ..." queries and measure
~3 ms slower than hybrid.)
--warmup N first sends N other unique queries, unmeasured: the figures are then those of a
server that has been answering for a while, not of a fresh worker's first queries; without
it (default 0) the first 5 queries are sent twice. --page-cache warm (default) reads the data
dir once before the server starts: this VM pages out file pages idle for ~60 s, so otherwise
the figures depend on how long ago the last run was (--page-cache as-is measures that).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _search_common import CACHE, REPO, SHARED, read_jsonl, require, setup_django

SENTENCE = re.compile(r"(?<=[.!?])\s+")


def load_arxiv(path: Path) -> list[dict]:
    seen: dict[str, dict] = {}
    for row in read_jsonl(path):
        seen.setdefault(row["id"], row)
    return list(seen.values())


def real_vectors(papers: list[dict], count: int) -> np.ndarray:
    """Embeddings of the first ``count`` papers (cached on disk between runs)."""
    from django.conf import settings

    from search.embedding import get_embedder, paper_text

    model = settings.SEARCH_EMBEDDING_MODEL
    path = CACHE / "arxiv" / f"{model}-{count}.npy"
    if path.exists():
        return np.load(path)
    started = time.perf_counter()
    texts = [paper_text(p["title"], p["abstract"]) for p in papers[:count]]
    vectors = get_embedder(model).embed(texts)
    print(f"embedded {count} real papers in {time.perf_counter() - started:.0f} s")
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def mixed_vectors(real: np.ndarray, total: int, rng: np.random.Generator) -> np.ndarray:
    """``total`` vectors: the real ones, then noisy convex mixtures of 3 real ones."""
    out = np.empty((total, real.shape[1]), dtype=np.float16)
    out[: len(real)] = real
    for start in range(len(real), total, 100_000):
        n = min(100_000, total - start)
        picks = rng.integers(0, len(real), size=(n, 3))
        weights = rng.dirichlet([1.0, 1.0, 1.0], size=n).astype(np.float32)
        mix = np.einsum("nk,nkd->nd", weights, real[picks])
        mix += rng.normal(0, 0.02, size=mix.shape).astype(np.float32)
        mix /= np.linalg.norm(mix, axis=1, keepdims=True)
        out[start : start + n] = mix
    return out


def synthetic_papers(real: list[dict], total: int, rng: random.Random):
    """The real papers, then recombined ones, as (arxiv_id, title, abstract, authors)."""
    for p in real:
        yield p["id"], p["title"], p["abstract"], ", ".join(p.get("authors") or [])
    sentences = [s for p in real for s in SENTENCE.split(p["abstract"]) if len(s) > 20]
    for i in range(len(real), total):
        donor = real[rng.randrange(len(real))]
        abstract = " ".join(rng.choice(sentences) for _ in range(rng.randint(4, 8)))
        arxiv_id = f"{3001 + i // 90000}.{10000 + i % 90000:05d}"
        yield arxiv_id, donor["title"], abstract, ", ".join(donor.get("authors") or [])


def write_authors(papers: list[dict], total: int) -> None:
    """Author and PaperAuthor rows for papers 1..total (the lists synthetic_papers gives them;
    plain executemany: the ORM would take minutes for ~6M rows)."""
    from django.db import connection, transaction

    from papers.services import author_slug

    author_ids: dict[str, int] = {}
    names: list[tuple[int, str, str]] = []
    links: list[tuple[int, int, int]] = []
    papers_iter = synthetic_papers(papers, total, random.Random(0))
    for n, (_, _, _, authors) in enumerate(papers_iter, start=1):
        for position, name in enumerate(a for a in authors.split(", ") if a.strip()):
            slug = author_slug(name)
            if slug not in author_ids:
                author_ids[slug] = len(author_ids) + 1
                names.append((author_ids[slug], name.strip(), slug))
            links.append((n, author_ids[slug], position))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany("INSERT INTO papers_author (id, name, slug) VALUES (%s, %s, %s)", names)
        cursor.executemany(
            "INSERT INTO papers_paperauthor (paper_id, author_id, position, hf_id, hidden,"
            " status) VALUES (%s, %s, %s, '', FALSE, '')",
            links,
        )
    print(f"authors: {len(names)} names, {len(links)} authorships")


def ensure_authors(papers: list[dict], total: int) -> None:
    """Add author rows to a data dir that has none."""
    from papers.models import PaperAuthor

    if not PaperAuthor.objects.exists():
        print("this data dir has no author rows: adding them")
        write_authors(papers, total)


def build(papers: list[dict], total: int, embed: int) -> None:
    """Write the DB rows and the index files (a published version, like a rebuild)."""
    from django.conf import settings

    from papers.models import Paper
    from search import keyword, store
    from search.embedding import get_embedder
    from search.vectors import build_ann, save_segment

    rng = random.Random(0)
    started = time.perf_counter()
    base = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    batch, docs = [], []
    for n, (arxiv_id, title, abstract, authors) in enumerate(
        synthetic_papers(papers, total, rng), start=1
    ):
        batch.append(
            Paper(
                pk=n,
                arxiv_id=arxiv_id,
                title=title,
                abstract=abstract,
                published_at=base + dt.timedelta(minutes=n),
                source="bench",
            )
        )
        docs.append(keyword.KeywordDoc(n, title, abstract, authors))
        if len(batch) == 5000:
            Paper.objects.bulk_create(batch)
            batch = []
    Paper.objects.bulk_create(batch)
    write_authors(papers, total)
    print(f"database: {total} papers in {time.perf_counter() - started:.0f} s")
    model = settings.SEARCH_EMBEDDING_MODEL
    version = store.new_version(model, get_embedder(model).dim)
    started = time.perf_counter()
    keyword.build(keyword.open_index(version / "keyword"), docs)
    print(f"keyword index: {time.perf_counter() - started:.0f} s")
    vectors = mixed_vectors(real_vectors(papers, embed), total, np.random.default_rng(0))
    ids = np.arange(1, total + 1, dtype=np.int64)
    started = time.perf_counter()
    save_segment(version, "base-1", ids, vectors)
    ann = build_ann(version, "base-1.usearch", ids, vectors, settings.SEARCH_ANN_MIN_VECTORS)
    print(f"vector index ({'HNSW' if ann else 'exact'}): {time.perf_counter() - started:.0f} s")
    manifest = store.read_manifest(version)
    manifest["base"] = {"segment": "base-1", "ann": ann, "count": total}
    store.write_manifest(version, manifest)
    store.publish(version)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_queries(papers: list[dict], count: int) -> list[str]:
    rng = random.Random(1)
    queries: set[str] = set()
    while len(queries) < count:
        words = re.findall(r"[A-Za-z]{4,}", rng.choice(papers)["title"])
        if len(words) >= 2:
            k = rng.randint(2, min(4, len(words)))
            start = rng.randint(0, len(words) - k)
            queries.add(" ".join(words[start : start + k]).lower())
    return sorted(queries)


def worker_rss_mb(master_pid: int) -> float:
    """Peak RSS (VmHWM) of gunicorn's worker process(es)."""
    peak = 0
    for child in Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split():
        status = Path(f"/proc/{child}/status").read_text()
        peak = max(peak, int(re.search(r"VmHWM:\s+(\d+)", status).group(1)))
    return peak / 1024


# Modes take turns request by request (3 hybrid, 1 keyword, 1 semantic in every 5), so all
# three see the same mix of queries and the same moments of this VM, whose speed drifts.
MODE_CYCLE = ("hybrid", "keyword", "hybrid", "semantic", "hybrid")


def measure(port: int, queries: list[str], modes: tuple[str, ...]) -> dict[str, list[float]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    timings: dict[str, list[float]] = {mode: [] for mode in modes}
    for i, q in enumerate(queries):
        mode = modes[i % len(modes)]
        path = "/api/papers/search?" + urllib.parse.urlencode({"q": q, "limit": 20, "mode": mode})
        started = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        timings[mode].append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            raise SystemExit(f"{path} -> {response.status}: {body[:200]!r}")
    conn.close()
    return timings


def read_into_page_cache(data_dir: str) -> None:
    """Read every file of the data dir once. This VM's kernel pages out file pages idle for
    ~60 s (DAMON reclaim), so without this the figures depend on how long ago the previous
    run was; a server with spare memory keeps its index files and database cached."""
    started, size = time.perf_counter(), 0
    for path in Path(data_dir).rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                while chunk := handle.read(1 << 24):
                    size += len(chunk)
    print(f"page cache: read {size / 1e9:.2f} GB first ({time.perf_counter() - started:.0f} s)")


def serve_and_measure(
    data_dir: str, queries: list[str], warmup: list[str], page_cache: str
) -> None:
    if page_cache == "warm":
        read_into_page_cache(data_dir)
    port = free_port()
    env = {**os.environ, "DAILYPAPERS_DATA_DIR": data_dir, "TASKS_BACKEND": "dummy"}
    cmd = [
        str(REPO / ".venv/bin/gunicorn"),
        "dailypapers.wsgi",
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        "1",
        "--threads",
        "1",
        "--timeout",
        "120",
    ]
    log = open(Path(data_dir) / "gunicorn.log", "w")  # noqa: SIM115 - closed with the server
    server = subprocess.Popen(cmd, cwd=REPO, env=env, stderr=log)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.25)
        measure(port, ["warm up query", *warmup], ("hybrid",))  # load model + indexes
        timings = measure(port, queries, MODE_CYCLE)
        print("| mode | requests | p50 ms | p99 ms | mean ms |")
        print("|---|---|---|---|---|")
        for mode, t in timings.items():
            p99 = float(np.percentile(t, 99))
            row = f"| {mode} | {len(t)} | {statistics.median(t):.1f} | {p99:.1f} |"
            print(f"{row} {statistics.mean(t):.1f} |", flush=True)
        print(f"peak RSS of the gunicorn worker: {worker_rss_mb(server.pid):.0f} MB")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=["58k", "1m"], default="58k")
    parser.add_argument("--embed", type=int, default=2000, help="real papers embedded")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument(
        "--warmup",
        type=int,
        default=0,
        help="other unique queries sent first, unmeasured (a server that has been up a while)",
    )
    parser.add_argument(
        "--page-cache",
        choices=["warm", "as-is"],
        default="warm",
        help="read the data dir into the page cache first (default), or measure as it is",
    )
    parser.add_argument("--smoke", type=int, default=0, help="only N real papers (a dry run)")
    parser.add_argument("--reuse", default="", help="data dir of an earlier run: only measure")
    args = parser.parse_args()
    papers = load_arxiv(require(SHARED / "arxiv" / "arxiv_cs_2025-03_2026-08.jsonl.gz"))
    if args.smoke:
        papers = papers[: args.smoke]
    total = len(papers) if args.scale == "58k" else 1_000_000
    total = total if not args.smoke else 2 * len(papers)
    data_dir = setup_django(args.reuse or None)
    print(f"{total} papers ({len(papers)} real), data dir {data_dir}")
    if not args.reuse:
        build(papers, total, args.embed)
    else:
        ensure_authors(papers, total)
    from django.db import connections

    connections.close_all()
    queries = make_queries(papers, args.requests + args.warmup)
    # Warm-up and measured queries are disjoint (no cached query vector is ever reused).
    random.Random(2).shuffle(queries)
    warmup, measured = queries[: args.warmup], queries[args.warmup :]
    serve_and_measure(data_dir, measured, warmup or queries[:5], args.page_cache)
    size = sum(f.stat().st_size for f in Path(data_dir).rglob("*") if f.is_file()) / 1e9
    print(f"data dir (SQLite + index files): {size:.2f} GB")


if __name__ == "__main__":
    main()
