"""The vector index of one version on disk: a base segment (with its HNSW graph when large),
delta segments added by incremental updates, a list of removed papers, and compaction that
merges them into a new base."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
from django.conf import settings

from search.vectors import build_ann, load_segment, save_segment


def needs_compaction(version: Path, manifest: dict) -> bool:
    pending = delta_rows(version, manifest) + len(manifest.get("removed", []))
    return pending > max(1000, 0.1 * base_rows(version, manifest))


def segment_names(manifest: dict) -> list[str]:
    base = [manifest["base"]["segment"]] if manifest.get("base") else []
    return base + list(manifest.get("deltas", []))


def mark_removed(version: Path, manifest: dict, paper_ids: Iterable[int]) -> set[int]:
    """Add the papers among these that have a live vector to the manifest's ``removed`` list
    (searches skip them, the next compaction leaves them out); returns those papers."""
    removed = set(manifest.get("removed", []))
    wanted = np.array(sorted(set(paper_ids) - removed), dtype=np.int64)
    present: set[int] = set()
    for name in segment_names(manifest) if len(wanted) else []:
        segment_ids = np.load(version / f"{name}.ids.npy", mmap_mode="r")
        present.update(wanted[np.isin(wanted, segment_ids)].tolist())
    if present:
        manifest["removed"] = sorted(removed | present)
    return present


def base_rows(version: Path, manifest: dict) -> int:
    return int(manifest["base"]["count"]) if manifest.get("base") else 0


def delta_rows(version: Path, manifest: dict) -> int:
    return sum(len(np.load(version / f"{n}.ids.npy", mmap_mode="r")) for n in manifest["deltas"])


def compact(version: Path, manifest: dict) -> None:
    """Merge the deltas into a new base segment (the newest vector of a paper wins), leaving
    out removed papers for good."""
    parts = [load_segment(version, name) for name in segment_names(manifest)]
    removed = np.array(manifest.get("removed", []), dtype=np.int64)
    manifest["removed"] = []
    manifest["deltas"] = []
    if not parts:
        return
    ids = np.concatenate([p[0] for p in parts])
    vectors = np.concatenate([np.asarray(p[1]) for p in parts])
    # np.unique on the reversed array keeps each id's last occurrence.
    _, last = np.unique(ids[::-1], return_index=True)
    keep = np.sort(len(ids) - 1 - last)
    keep = keep[~np.isin(ids[keep], removed)]
    write_base(version, manifest, ids[keep], vectors[keep])


def write_base(version: Path, manifest: dict, ids: np.ndarray, vectors: np.ndarray) -> None:
    name = f"base-{manifest['generation'] + 1}"
    save_segment(version, name, ids, vectors)
    ann = build_ann(version, f"{name}.usearch", ids, vectors, settings.SEARCH_ANN_MIN_VECTORS)
    manifest["base"] = {"segment": name, "ann": ann, "count": len(ids)}
