"""`camsla sla --from DATE --to DATE [--sector CODE] [--json]`: SLA figures for [from, to)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer

from camsla.cli.common import database, fail, settings


def _pct(v: float | None) -> str:
    return "   —   " if v is None else f"{v:7.3%}"


def register(app: typer.Typer) -> None:
    @app.command("sla")
    def sla_cmd(
        start: str = typer.Option(..., "--from", help="DATE (YYYY-MM-DD, local midnight) or ISO-8601, inclusive"),
        end: str = typer.Option(..., "--to", help="DATE or ISO-8601, exclusive"),
        sector: str | None = typer.Option(None, "--sector", help="only this sector code"),
        as_json: bool = typer.Option(False, "--json", help="one JSON document on standard output"),
        by: str | None = typer.Option(None, "--by", help="also per local 'day' or 'month' (JSON: \"periods\")"),
    ) -> None:
        """点位正常率: per sector and per camera, in the configured timezone."""
        from camsla.db import sla_report
        from camsla.db.models import Sector
        from sla import PeriodError, parse_period

        cfg = settings()
        if by not in (None, "day", "month"):
            fail(f"--by {by!r}: use day or month")
        try:
            period = parse_period(start, end, cfg.tz)
        except PeriodError as e:
            fail(str(e))
        db = database()
        with db.session() as s:
            if sector is not None and s.get(Sector, sector) is None:
                fail(f"unknown sector {sector!r} (see `camsla sectors list`)")
        doc = sla_report(db, period.start, period.end, cfg.stale_after, sector=sector, now=datetime.now(UTC),
                         by=by, tz=cfg.tz).as_dict()
        out = {
            "from": start,
            "to": end,
            "timezone": cfg.timezone,
            "period": {"start": period.start.astimezone(cfg.tz).isoformat(),
                       "end": period.end.astimezone(cfg.tz).isoformat()},
            **doc,
        }
        if as_json:
            typer.echo(json.dumps(out, ensure_ascii=False, indent=1))
            return
        typer.echo(f"点位正常率 / normal rate  [{out['period']['start']}, {out['period']['end']})  {cfg.timezone}")
        typer.echo(f"{'sector':<17}{'cams':>6} {'target':>7} {'normal':>8} {'online':>8} {'coverage':>8}  met")
        for r in out["sectors"]:
            if not r["cameras"] and sector is None:
                continue
            met = "—" if r["met"] is None else ("达标 yes" if r["met"] else "未达标 NO")
            typer.echo(
                f"{r['code']:<17}{r['cameras']:>6} {r['target']:>7.2%} {_pct(r['normal_rate'])} "
                f"{_pct(r['online_rate'])} {_pct(r['coverage'])}  {met}"
            )
        for part in out.get("periods", []):
            typer.echo(f"\n[{part['from']}, {part['to']})")
            for r in part["sectors"]:
                if r["cameras"]:
                    typer.echo(f"  {r['code']:<17}{r['cameras']:>6}  normal {_pct(r['normal_rate'])}  "
                               f"online {_pct(r['online_rate'])}  coverage {_pct(r['coverage'])}")

    @app.command("timeline")
    def timeline_cmd(
        camera_id: str = typer.Argument(..., metavar="CAMERA"),
        start: str = typer.Option(..., "--from", help="DATE or ISO-8601, inclusive"),
        end: str = typer.Option(..., "--to", help="DATE or ISO-8601, exclusive"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """一个点位的状态时间线: each stretch of ok/degraded/offline/unknown/excluded and its faults."""
        from camsla.db import timeline_document
        from camsla.db.models import Camera
        from camsla.kernel import FAULT_LABELS_ZH
        from sla import PeriodError, parse_period

        cfg = settings()
        try:
            period = parse_period(start, end, cfg.tz)
        except PeriodError as e:
            fail(str(e))
        with database().session() as s:
            cam = s.get(Camera, camera_id)
            if cam is None:
                fail(f"unknown camera {camera_id}")
            body = timeline_document(s, cam, period.start, period.end, cfg.stale_after, cfg.tz, now=datetime.now(UTC))
        doc = {"camera_id": camera_id, "from": start, "to": end, "timezone": cfg.timezone, **body}
        if as_json:
            typer.echo(json.dumps(doc, ensure_ascii=False, indent=1))
            return
        typer.echo(f"{camera_id}  normal {_pct(doc['normal_rate'])}  online {_pct(doc['online_rate'])}  "
                   f"coverage {_pct(doc['coverage'])}")
        for sp in doc["spans"]:
            faults = ", ".join(f"{FAULT_LABELS_ZH.get(f, f)}({f})" for f in sp["faults"])
            typer.echo(f"  {sp['from']} → {sp['to']}  {sp['seconds']:>10.0f} s  {sp['state']:<9} {faults}")
