"""Calibrating the search floors (``search.engine.Floors``) and measuring "no match".

    flock /tmp/dailypapers-bench.lock .venv/bin/python bench/search_floors.py scifact \
        ../shared/data/scifact
    flock /tmp/dailypapers-bench.lock .venv/bin/python bench/search_floors.py arxiv \
        ../shared/data/arxiv/arxiv_cs_2025-03_2026-08.jsonl.gz [--papers 3000]

``scifact``: for each train query, the cosine similarity and keyword score (BM25 over
``keyword.reference_score``) of its relevant documents, against the best candidate of
off-topic and nonsense queries; prints, per candidate floor, the share of relevant documents
that pass and the share of off-topic queries that would still show something.
``arxiv``: 200 off-topic or nonsense queries must return nothing and 200 real titles must
return their paper first, through ``search.service.search`` with the shipped floors.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import string
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _search_common import (
    import_and_index,
    read_jsonl,
    read_qrels,
    require,
    setup_django,
)

OFF_TOPIC = [
    "medieval french poetry",
    "sourdough bread baking recipes",
    "how to repot an orchid",
    "best hiking trails in patagonia",
    "baroque violin sonatas",
    "knitting a wool sweater pattern",
    "roman empire tax collection",
    "tomato plant blight treatment",
    "vintage motorcycle carburetor repair",
    "wedding speech ideas for a brother",
    "victorian novels about inheritance",
    "watercolor painting techniques for skies",
    "fly fishing for trout in rivers",
    "the history of the byzantine church",
    "vegan chocolate cake without eggs",
    "choosing a mortgage for a first home",
    "ancient egyptian burial customs",
    "jazz saxophone improvisation lessons",
    "caring for a senior golden retriever",
    "renaissance fresco restoration",
    "opera singers of the nineteenth century",
    "homemade kimchi fermentation",
    "best beaches on the amalfi coast",
    "tennis backhand footwork drills",
    "gothic cathedral flying buttresses",
    "pottery glaze firing temperatures",
    "shakespeare sonnets about love",
    "mediterranean diet olive oil",
    "bonsai tree pruning in winter",
    "origami crane folding steps",
    "bird watching owls at night",
    "ballet pointe shoes for beginners",
    "scottish highland whisky distilleries",
    "french impressionist landscape painters",
    "growing lavender in clay soil",
    "chess opening sicilian defence theory",
    "ukulele chords for folk songs",
    "cheese making with raw milk",
    "aztec calendar stone meaning",
    "wine tasting notes for pinot noir",
]


def nonsense(rng: random.Random) -> str:
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(6, 12))) for _ in "ab"]
    return " ".join(words[: rng.randint(1, 2)])


def off_topic_queries(count: int) -> list[str]:
    rng = random.Random(7)
    queries = list(OFF_TOPIC)
    while len(queries) < count // 2:
        a, b = rng.sample(OFF_TOPIC, 2)
        queries.append(" ".join(a.split()[:2] + b.split()[-2:]))
    while len(queries) < count:
        queries.append(nonsense(rng))
    return queries


def scores(q: str) -> tuple[dict[int, float], dict[int, float]]:
    """(paper id -> keyword score over the reference, paper id -> cosine) of the top 200."""
    from search import engine, keyword
    from search.store import READER
    from search.text import parse_query

    snapshot = READER.snapshot()
    parsed = parse_query(q)
    kw, sem = engine.sides(snapshot, parsed, "hybrid", 200)
    ref = keyword.reference_score(snapshot.keyword_index, parsed) or 1.0
    return {pid: s / ref for pid, s in kw}, dict(sem)


def calibrate(directory: Path) -> None:
    from papers.models import Paper

    mapping = import_and_index(require(directory / "corpus.jsonl.gz"))
    pk_of = {mapping[a]: pk for pk, a in Paper.objects.values_list("pk", "arxiv_id")}
    qrels = read_qrels(require(directory / "qrels_train.tsv"))
    queries = [q for q in read_jsonl(directory / "queries_train.jsonl") if q["_id"] in qrels]
    relevant: list[tuple[float, float]] = []  # (keyword, cosine) of each relevant document
    for q in queries:
        kw, sem = scores(q["text"])
        for doc in qrels[q["_id"]]:
            pk = pk_of.get(doc)
            relevant.append((kw.get(pk, 0.0), sem.get(pk, 0.0)))
    off = [scores(q) for q in off_topic_queries(200)]
    best_off = [(max(kw.values(), default=0.0), max(sem.values(), default=0.0)) for kw, sem in off]
    print(f"{len(queries)} SciFact train queries, {len(relevant)} relevant documents (top 200)")
    _table("cosine", 1, (0.25, 0.3, 0.35, 0.4, 0.45, 0.5), relevant, best_off)
    _table("keyword", 0, (0.3, 0.4, 0.5, 0.55, 0.6, 0.7), relevant, best_off)
    from search.engine import FLOORS

    either = sum(k >= FLOORS.keyword or c >= FLOORS.cosine for k, c in relevant) / len(relevant)
    print(f"shipped floors {FLOORS}: relevant passing either floor {either:.3f}")


def _table(name: str, side: int, floors: tuple, relevant: list, best_off: list) -> None:
    """Per floor: relevant documents passing it, off-topic queries whose best passes it."""
    print(f"| {name} floor | relevant passing | off-topic queries with a {name} match |")
    print("|---|---|---|")
    for floor in floors:
        kept = sum(pair[side] >= floor for pair in relevant) / len(relevant)
        leak = sum(pair[side] >= floor for pair in best_off) / len(best_off)
        print(f"| {floor} | {kept:.3f} | {leak:.3f} |")


def no_match(path: Path, count: int) -> None:
    from papers.models import Paper
    from search.service import SearchQuery, search

    papers = []
    for row in read_jsonl(require(path)):
        papers.append(row)
        if len(papers) == count:
            break
    corpus = Path(tempfile.mkdtemp()) / "arxiv" / "corpus.jsonl.gz"
    corpus.parent.mkdir()
    with gzip.open(corpus, "wt") as out:
        for row in papers:
            record = {"_id": row["id"], "title": row["title"], "text": row["abstract"]}
            out.write(json.dumps(record) + "\n")
    mapping = import_and_index(corpus)
    pk_of = {mapping[a]: pk for pk, a in Paper.objects.values_list("pk", "arxiv_id")}
    for mode in ("hybrid", "keyword", "semantic"):
        empty = sum(not search(SearchQuery(q=q, mode=mode)).total for q in off_topic_queries(200))
        titles = random.Random(3).sample(papers, 200)
        first = 0
        for row in titles:
            page = search(SearchQuery(q=row["title"], mode=mode, limit=1)).page
            first += bool(page) and page[0][0] == pk_of[row["id"]]
        print(f"{mode}: off-topic queries with no result {empty}/200, titles first {first}/200")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", choices=["scifact", "arxiv"])
    parser.add_argument("path", type=Path)
    parser.add_argument("--papers", type=int, default=3000, help="arXiv papers indexed")
    args = parser.parse_args()
    setup_django()
    if args.dataset == "scifact":
        calibrate(args.path)
    else:
        no_match(args.path, args.papers)


if __name__ == "__main__":
    main()
