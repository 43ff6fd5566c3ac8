"""`camsla ingest FILE.jsonl`: load observations; bad lines named by number and skipped."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import typer

from camsla.cli.common import database, fail, settings

BATCH = 20_000


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    def ingest_cmd(
        file: Path = typer.Argument(..., help="FILE.jsonl, one observation a line ('-' for standard input)"),
        strict: bool = typer.Option(False, "--strict", help="exit 1 when any line was bad (they are skipped either way)"),
    ) -> None:
        """Load observations: {"camera_id", "ts", "check", "status", "faults"} one JSON object a line."""
        from sqlalchemy import select

        from camsla.db import ObservationStore, StoreStats
        from camsla.db.models import Camera
        from camsla.kernel import LineError, parse_lines

        if str(file) != "-" and not file.exists():
            fail(f"{file}: no such file")
        stream = sys.stdin if str(file) == "-" else file.open(encoding="utf-8-sig", errors="replace")
        cfg = settings()
        db = database()
        with db.session() as s:
            known = set(s.scalars(select(Camera.camera_id)))
        total = StoreStats()
        bad = 0
        line_of: dict[int, int] = {}
        batch = []

        def flush() -> None:
            nonlocal batch, total
            with db.session(write=True) as s:
                stats = ObservationStore(s, cfg.stale_after, cfg.tz).add(batch)
            for o, reason in stats.rejected:
                typer.echo(f"{file}: line {line_of.get(id(o), '?')}: not stored: {reason}", err=True)
            total += stats
            batch = []
            line_of.clear()

        with stream:
            for number, item in parse_lines(stream, now=datetime.now(UTC)):
                if isinstance(item, LineError):
                    bad += 1
                    typer.echo(f"{file}: {item}", err=True)
                    continue
                if item.camera_id not in known:
                    bad += 1
                    typer.echo(f"{file}: line {number}: unknown camera {item.camera_id}", err=True)
                    continue
                batch.append(item)
                line_of[id(item)] = number
                if len(batch) >= BATCH:
                    flush()
        if batch:
            flush()
        bad += len(total.rejected)
        typer.echo(
            f"{file}: {total.stored} observation(s) stored, {total.duplicates} duplicate(s), {bad} bad line(s) skipped"
        )
        if bad and strict:
            raise typer.Exit(1)
