"""Run the camsla CLI in-process, as a user would type it."""

from __future__ import annotations

from typer.testing import CliRunner

from camsla.cli import app


def run(*args: str, input: str | None = None):
    result = CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)
    return result
