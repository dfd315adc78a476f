"""Operational state kept in the database (shared by every web node and worker)."""

from __future__ import annotations

from django.db import models


class ContentVersion(models.Model):
    """The version of one cache dependency tag, a random token (see dailypapers/cache.py).

    It lives in the database, not in the cache, so every process and machine agrees on it
    even with the per-process local-memory cache.
    """

    key = models.CharField(max_length=32, primary_key=True)
    value = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
