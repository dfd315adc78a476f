"""Settings read from environment variables, each declared once in a registry.

Every ``env_*`` call declares a setting (name, type, default, bounds or choices, doc line)
in ``REGISTRY`` and returns its value. A value that cannot be parsed, or lies outside the
declared bounds or choices, raises ``ImproperlyConfigured`` naming the variable, so a typo in
a deployment stops start-up instead of silently using a default. docs/deploy.md's table of
settings is generated from the registry (``manage.py settings_table``).

This module needs no configured Django: gunicorn's config file and the console script use it
before (or without) Django settings.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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


@dataclass(frozen=True)
class Setting:
    """One environment variable: how to read it and how to document it."""

    name: str
    kind: str  # one of PARSERS
    default: Any
    doc: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    # The default as the settings table shows it, when the value depends on the machine.
    shown_default: str | None = None

    def read(self) -> Any:
        """The variable's value from the environment, parsed and checked."""
        raw = os.environ.get(self.name)
        if raw is None:
            return self.default
        return PARSERS[self.kind](self, raw)

    def check_bounds(self, value: float) -> None:
        if self.minimum is not None and value < self.minimum:
            raise ImproperlyConfigured(f"{self.name}={value} must be at least {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            raise ImproperlyConfigured(f"{self.name}={value} must be at most {self.maximum}")


def _text(setting: Setting, raw: str) -> str:
    return raw


def _boolean(setting: Setting, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{setting.name}={raw!r} is not a boolean (use true/false, 1/0, yes/no)"
    )


def _integer(setting: Setting, raw: str) -> int:
    if raw.strip() == "":
        return setting.default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{setting.name}={raw!r} is not an integer") from None
    setting.check_bounds(value)
    return value


def _number(setting: Setting, raw: str) -> float:
    if raw.strip() == "":
        return setting.default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{setting.name}={raw!r} is not a number") from None
    setting.check_bounds(value)
    return value


def _list(setting: Setting, raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def _choice(setting: Setting, raw: str) -> str:
    value = raw.strip() or setting.default
    if value not in setting.choices:
        raise ImproperlyConfigured(
            f"{setting.name}={raw!r} must be one of {', '.join(setting.choices)}"
        )
    return value


def _time_zone(setting: Setting, raw: str) -> str:
    value = raw.strip() or setting.default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{setting.name}={raw!r} is not a time zone name (e.g. UTC, Europe/Paris)"
        ) from None
    return value


PARSERS: dict[str, Callable[[Setting, str], Any]] = {
    "text": _text,
    "boolean": _boolean,
    "integer": _integer,
    "number": _number,
    "list": _list,
    "choice": _choice,
    "time zone": _time_zone,
}

# Every declared setting by name, in declaration order.
REGISTRY: dict[str, Setting] = {}


def declare(setting: Setting) -> Setting:
    """Add ``setting`` to the registry; one name declared two different ways is a bug."""
    if setting.kind not in PARSERS:
        raise ValueError(f"{setting.name}: unknown kind {setting.kind!r}")
    if setting.kind == "choice" and setting.default not in setting.choices:
        raise ValueError(f"{setting.name}: default {setting.default!r} is not a choice")
    known = REGISTRY.get(setting.name)
    if known is not None and (known.kind, known.doc) != (setting.kind, setting.doc):
        raise ValueError(f"{setting.name} is declared twice with different types or docs")
    REGISTRY[setting.name] = setting
    return setting


def env_str(
    name: str, default: str = "", *, doc: str = "", shown_default: str | None = None
) -> str:
    return declare(Setting(name, "text", default, doc, shown_default=shown_default)).read()


def env_bool(name: str, default: bool, *, doc: str = "") -> bool:
    return declare(Setting(name, "boolean", default, doc)).read()


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    doc: str = "",
    shown_default: str | None = None,
) -> int:
    setting = Setting(name, "integer", default, doc, minimum, maximum, shown_default=shown_default)
    return declare(setting).read()


def env_float(
    name: str,
    default: float,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    doc: str = "",
) -> float:
    return declare(Setting(name, "number", default, doc, minimum, maximum)).read()


def env_list(
    name: str, default: list[str], *, doc: str = "", shown_default: str | None = None
) -> list[str]:
    return declare(Setting(name, "list", default, doc, shown_default=shown_default)).read()


def env_choice(name: str, default: str, choices: tuple[str, ...], *, doc: str = "") -> str:
    return declare(Setting(name, "choice", default, doc, choices=tuple(choices))).read()


def env_time_zone(name: str, default: str, *, doc: str = "") -> str:
    return declare(Setting(name, "time zone", default, doc)).read()


def env_networks(
    name: str, *, doc: str = ""
) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """A comma-separated list of IP addresses or CIDR networks (``10.0.0.0/8, ::1``)."""
    networks = []
    for item in env_list(name, [], doc=doc):
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
    setting = declare(
        Setting(
            "SECRET_KEY",
            "text",
            "",
            "signing key (≥ 32 characters); set it explicitly when several machines serve",
            shown_default="generated once into `$DAILYPAPERS_DATA_DIR/secret_key`",
        )
    )
    from_env = os.environ.get(setting.name)
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
