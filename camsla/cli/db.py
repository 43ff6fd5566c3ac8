"""`camsla db upgrade`: migrate the database to the newest schema, and nothing else."""

from __future__ import annotations

import typer

from camsla.cli.common import database, settings


def register(app: typer.Typer) -> None:
    db_app = typer.Typer(help="数据库 / database schema.", no_args_is_help=True)

    @db_app.command("upgrade")
    def upgrade_cmd() -> None:
        """Migrate the configured database to the newest schema."""
        database().dispose()
        typer.echo(f"database at newest schema: {settings().database_url}")

    app.add_typer(db_app, name="db")
