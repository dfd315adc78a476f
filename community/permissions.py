"""Who may do what. Curators are Django staff or members of the "curator" group."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from community.models import CURATOR_GROUP


def is_curator(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    """True for active staff and active members of the curator group (cached per user object)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    cached = getattr(user, "_is_curator", None)
    if cached is None:
        cached = user.is_staff or user.groups.filter(name=CURATOR_GROUP).exists()
        user._is_curator = cached
    return cached
