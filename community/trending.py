"""Trending ranking.

CONTRACT STUB — the Community issue replaces the body; the signature stays.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from papers.models import Paper

TrendingPeriod = Literal["today", "week", "month"]


@dataclass
class TrendingItem:
    paper: Paper
    score: float
    explanation: str  # how the score was computed, in words and numbers


def trending_papers(
    period: TrendingPeriod = "week", now: dt.datetime | None = None, limit: int = 50
) -> list[TrendingItem]:
    raise NotImplementedError
