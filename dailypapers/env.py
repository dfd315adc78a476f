"""Typed readers for settings that come from environment variables.

Each helper raises ``ImproperlyConfigured`` on a value it cannot parse, so a
typo in a deployment fails at start-up instead of silently using a default.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import stat
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
# Text found in the placeholder keys of examples and tutorials (deploy/env.example,
# Django's startproject); a key containing one was copied, not generated.
_PLACEHOLDER_MARKS = (
    "change-me",
    "changeme",
    "change_me",
    "replace-me",
    "replaceme",
    "your-secret",
    "secret-key-here",
    "placeholder",
)
_KEY_HINT = "generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true/false, 1/0, yes/no)")


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={value} must be at most {maximum}")
    return value


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of {', '.join(choices)}")
    return value


def env_networks(name: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """A comma-separated list of IP addresses or CIDR networks (``10.0.0.0/8, ::1``)."""
    networks = []
    for item in env_list(name, []):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an IP address or network (e.g. 10.0.0.0/8)"
            ) from None
    return networks


def check_secret_key(key: str) -> None:
    """Refuse a key that is short, a known placeholder or not random-looking."""
    if len(key) < 32:
        raise ImproperlyConfigured(f"SECRET_KEY must be at least 32 characters long; {_KEY_HINT}")
    lowered = key.lower()
    if lowered.startswith("django-insecure") or any(m in lowered for m in _PLACEHOLDER_MARKS):
        raise ImproperlyConfigured(
            f"SECRET_KEY is a placeholder from an example, not a secret; {_KEY_HINT}"
        )
    if len(set(key)) < 5:
        raise ImproperlyConfigured(f"SECRET_KEY has fewer than 5 different characters; {_KEY_HINT}")


def persistent_secret_key(data_dir: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data dir.

    Generating it once (instead of a hard-coded default) keeps sessions and signed
    unsubscribe links valid across restarts of a local install without sharing a key.
    """
    from_env = os.environ.get("SECRET_KEY")
    if from_env is not None:
        check_secret_key(from_env)
        return from_env
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


def private_data_dir(path: Path) -> None:
    """Create ``path`` readable by this user only (0700), or make it so when this user owns
    it; a shared directory (sticky, like /tmp) is left alone. The data directory holds the
    database, backups and the secret key."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.stat()
    if info.st_uid == os.getuid() and not info.st_mode & stat.S_ISVTX:
        path.chmod(0o700)
