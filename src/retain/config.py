"""Settings: where the store is and the business's time zone and currency.

Read from ``retain.toml`` in the working directory (or the file named by
``RETAIN_CONFIG``), then from environment variables, then from command-line
options; later sources win. Each capability reads its own section (for
example ``[lifecycle]``) with :func:`section`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from retain.errors import ConfigError

DEFAULT_DB_FILE = "retain.db"
DEFAULT_DEMO_DB_FILE = "retain-demo.db"


@dataclass(frozen=True)
class Settings:
    """The settings every command needs; ``sections`` holds the rest of retain.toml."""

    database_url: str | None = None
    timezone: str = "UTC"
    currency: str = "USD"
    sections: dict[str, Any] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        """The business time zone, applied to input times that carry none."""
        return zone(self.timezone)


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``, or a ConfigError that says how to fix it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"unknown time zone {name!r}: use an IANA name such as 'Europe/Berlin' or 'UTC'"
        ) from exc


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """Settings from retain.toml (if present) and the RETAIN_* environment variables."""
    path = Path(path or os.environ.get("RETAIN_CONFIG", "retain.toml"))
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc}); fix the file") from exc
    business = data.get("business", {})
    store = data.get("store", {})
    settings = Settings(
        database_url=os.environ.get("RETAIN_DATABASE_URL") or store.get("url"),
        timezone=os.environ.get("RETAIN_TIMEZONE") or business.get("timezone", "UTC"),
        currency=(os.environ.get("RETAIN_CURRENCY") or business.get("currency", "USD")).upper(),
        sections=data,
    )
    zone(settings.timezone)
    return settings


def section(settings: Settings, name: str, defaults: dict[str, Any]) -> dict[str, Any]:
    """The ``[name]`` section of retain.toml over ``defaults``; unknown keys are an error."""
    given = settings.sections.get(name, {})
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise ConfigError(
            f"retain.toml [{name}]: unknown setting(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(defaults))}"
        )
    return {**defaults, **given}


def database_url(given: str | None, settings: Settings, default_file: str = DEFAULT_DB_FILE) -> str:
    """The database URL to use: ``--db``, else RETAIN_DATABASE_URL/retain.toml, else a file.

    A bare path (no ``://``) means a SQLite file.
    """
    url = given or settings.database_url or default_file
    if "://" not in url:
        url = f"sqlite:///{Path(url).expanduser()}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url
