"""`camsla db upgrade` (migrate the database to the newest schema, and nothing else) and
`camsla db check [--repair]` (the invariants of runs and current state)."""

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

    @db_app.command("check")
    def check_cmd(
        repair: bool = typer.Option(False, "--repair", help="re-fold broken runs from the raw observations kept"),
    ) -> None:
        """Check the invariants the figures rest on (runs never overlap; the current state is the
        newest run); with --repair, fix what the raw observations still allow. Exit 1 while any
        problem is left."""
        from camsla.db import find_problems, repair_problems

        db = database()
        with db.session() as s:
            problems = find_problems(s)
        for p in problems:
            typer.echo(f"{p.camera_id}/{p.check}: {p.what}")
        if not problems:
            typer.echo("no problems found")
            return
        if not repair:
            typer.echo(f"{len(problems)} problem(s); `camsla db check --repair` re-folds runs from the raw "
                       "observations kept and rewrites the current state", err=True)
            raise typer.Exit(1)
        with db.session(write=True) as s:
            left = repair_problems(s, problems, settings().stale_after)
        with db.session() as s:
            after = find_problems(s)
        for line in left:
            typer.echo(f"not repaired: {line}", err=True)
        typer.echo(f"repaired; {len(after)} problem(s) left")
        if after:
            raise typer.Exit(1)

    app.add_typer(db_app, name="db")
