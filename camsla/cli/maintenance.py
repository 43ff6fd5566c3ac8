"""`camsla maintenance add|list|remove`: windows of excluded time."""

from __future__ import annotations

import json
from datetime import datetime

import typer

from camsla.cli.common import database, fail, settings


def _instant(value: str, option: str) -> datetime:
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value!r} is not an ISO-8601 time")
    if dt.tzinfo is None:  # a local wall-clock time means the configured zone
        dt = dt.replace(tzinfo=settings().tz)
    return dt


def register(app: typer.Typer) -> None:
    mt = typer.Typer(help="维护窗口 / maintenance windows and exemptions.", no_args_is_help=True)

    @mt.command("add")
    def add_cmd(
        camera: str | None = typer.Option(None, "--camera", help="camera ID"),
        sector: str | None = typer.Option(None, "--sector", help="sector code"),
        contractor: str | None = typer.Option(None, "--contractor", help="contractor name"),
        start: str = typer.Option(..., "--from", help="ISO-8601 start (inclusive)"),
        end: str = typer.Option(..., "--to", help="ISO-8601 end (exclusive)"),
        reason: str = typer.Option(..., "--reason"),
        exemption: bool = typer.Option(False, "--exemption", help="an approved exemption, not maintenance"),
    ) -> None:
        """Add a window of excluded time for one camera, a sector or a contractor."""
        from camsla.db.maintenance import MaintenanceError, add_window

        s_dt, e_dt = _instant(start, "--from"), _instant(end, "--to")
        try:
            with database().session() as s:
                w = add_window(
                    s, start=s_dt, end=e_dt, reason=reason, camera_id=camera, sector_code=sector,
                    contractor=contractor, kind="exemption" if exemption else "maintenance",
                )
                wid = w.id
        except MaintenanceError as e:
            fail(f"维护窗口未添加 / window not added: {e}")
        typer.echo(f"maintenance window {wid} added")

    @mt.command("list")
    def list_cmd(
        as_json: bool = typer.Option(False, "--json"),
        active: bool = typer.Option(False, "--active", help="only windows in force now"),
    ) -> None:
        """List windows (all, or only those in force now)."""
        from datetime import UTC

        from camsla.db.maintenance import list_windows

        tz = settings().tz
        with database().session() as s:
            rows = [
                {
                    "id": w.id,
                    "scope": "camera" if w.camera_id else "sector" if w.sector_code else "contractor",
                    "target": w.camera_id or w.sector_code or (str(w.contractor_id)),
                    "from": w.start.astimezone(tz).isoformat(),
                    "to": w.end.astimezone(tz).isoformat(),
                    "kind": w.kind,
                    "reason": w.reason,
                }
                for w in list_windows(s, active_at=datetime.now(UTC) if active else None)
            ]
        if as_json:
            typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for r in rows:
            typer.echo(f"{r['id']:>5} {r['scope']:<10} {r['target']:<20} {r['from']} -> {r['to']} {r['kind']}: {r['reason']}")

    @mt.command("remove")
    def remove_cmd(window_id: int = typer.Argument(...)) -> None:
        """Remove a window by its id."""
        from camsla.db.maintenance import MaintenanceError, remove_window

        try:
            with database().session() as s:
                remove_window(s, window_id)
        except MaintenanceError as e:
            fail(str(e))
        typer.echo(f"maintenance window {window_id} removed")

    app.add_typer(mt, name="maintenance")
