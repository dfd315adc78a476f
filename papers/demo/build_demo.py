#!/usr/bin/env python3
"""Build the bundled demo data from the shared Hugging Face daily-papers snapshot.

    python papers/demo/build_demo.py [--items 3000] [--source ../shared/data/hf_daily_papers]

Reads ``days/YYYY-MM-DD.json`` (raw ``/api/daily_papers`` answers), keeps the most recent
days until about ``--items`` items, drops the fields the app does not use (ids of HF
objects, duplicated titles/abstracts, avatars of authors, ...) and writes
``hf_daily_recent.jsonl.gz`` next to this script: one ``{"date": listing day, "item": HF
item}`` per line, newest day first. ``manage.py load_demo`` imports it. Standard library only.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEFAULT_SOURCE = REPO.parent / "shared" / "data" / "hf_daily_papers"
OUTPUT = HERE / "hf_daily_recent.jsonl.gz"

PAPER_KEYS = (
    "id", "title", "summary", "publishedAt", "submittedOnDailyAt", "upvotes", "githubRepo",
    "githubStars", "projectPage", "ai_summary", "ai_keywords",
)  # fmt: skip
AUTHOR_KEYS = ("name", "hidden", "status")
PERSON_KEYS = ("name", "user", "fullname", "avatarUrl")
ORG_KEYS = ("_id", "name", "fullname", "avatar")


def pick(data: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(data, dict):
        return {}
    return {key: data[key] for key in keys if data.get(key) not in (None, "", [])}


def strip_item(item: dict[str, Any]) -> dict[str, Any]:
    """The fields ``papers.importers.hf`` reads, nothing else."""
    paper = item.get("paper") or {}
    slim = pick(paper, PAPER_KEYS)
    slim["authors"] = [pick(author, AUTHOR_KEYS) for author in paper.get("authors") or []]
    submitter = pick(paper.get("submittedOnDailyBy") or item.get("submittedBy"), PERSON_KEYS)
    if submitter:
        slim["submittedOnDailyBy"] = submitter
    org = pick(paper.get("organization") or item.get("organization"), ORG_KEYS)
    if org:
        slim["organization"] = org
    out: dict[str, Any] = {"paper": slim, "numComments": item.get("numComments", 0)}
    if item.get("publishedAt"):
        out["publishedAt"] = item["publishedAt"]
    return out


def recent_items(source: Path, wanted: int) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    for path in sorted((source / "days").glob("*.json"), reverse=True):
        if len(lines) >= wanted:
            break
        day = path.stem
        lines += [{"date": day, "item": strip_item(i)} for i in json.loads(path.read_text())]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--items", type=int, default=3000)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    args = parser.parse_args(argv)
    if not (args.source / "days").is_dir():
        print(f"error: {args.source}/days not found (the shared data is absent)", file=sys.stderr)
        return 1
    lines = recent_items(args.source, args.items)
    with gzip.GzipFile(OUTPUT, "wb", compresslevel=9, mtime=0) as out:
        for line in lines:
            out.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
    days = sorted({line["date"] for line in lines})
    size = OUTPUT.stat().st_size / 1e6
    print(f"{OUTPUT.name}: {len(lines)} items, {days[0]} .. {days[-1]}, {size:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
