"""What every command shares: the settings (once), the database, and how errors end a command."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer

from camsla.kernel import Settings, SettingsError, load_settings

_state: dict[str, object] = {"config": None, "settings": None}


def set_config(path: Path | None) -> None:
    _state["config"] = path
    _state["settings"] = None


def settings() -> Settings:
    if _state["settings"] is None:
        try:
            _state["settings"] = load_settings(_state["config"])  # type: ignore[arg-type]
        except SettingsError as e:
            fail(f"设置错误 / settings error: {e}")
    return _state["settings"]  # type: ignore[return-value]


def database():
    """Open (and migrate, when fresh or older) the configured database."""
    from camsla.db import open_db

    try:
        return open_db(settings())
    except Exception as e:  # a wrong URL, a server that is down, a read-only file...
        fail(f"数据库错误 / database error ({settings().database_url}): {e}")


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)
