"""Signals other apps listen to (search keeps its derived indexes current with them)."""

from django.dispatch import Signal

# Sent after the transaction that added or changed papers commits.
# kwargs: paper_ids: list[int]
papers_changed = Signal()
