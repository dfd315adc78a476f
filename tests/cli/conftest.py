"""Shared CLI fixtures: a small feed in the test database and a runner for ``main``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from dailypapers.cli import main
from tests.factories import make_daily_paper, make_org


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def cli(capsys) -> Callable[..., Run]:
    """Run ``dailypapers ARGS`` in-process; returns exit code, stdout and stderr."""

    def run(*args: str) -> Run:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def feed(db) -> None:
    make_daily_paper(
        "2025-02-10",
        arxiv_id="2502.04507",
        title="Fast Video Generation with Sliding Tile Attention",
        abstract="Diffusion transformers with sliding tiles.",
        upvotes=25,
        organization=make_org("hao-ai-lab", "Hao AI Lab"),
        github_repo="https://github.com/hao-ai-lab/FastVideo",
    )
    make_daily_paper("2025-02-10", arxiv_id="2502.00002", title="Second paper", upvotes=3)
    make_daily_paper("2025-02-11", arxiv_id="2502.00003", title="Next day paper", upvotes=9)
