"""`camsla sectors list|set`: the sectors and their availability targets."""

from __future__ import annotations

import json

import typer

from camsla.cli.common import database, fail


def register(app: typer.Typer) -> None:
    sec = typer.Typer(help="行业/领域网 / sectors and targets.", no_args_is_help=True)

    @sec.command("list")
    def list_cmd(as_json: bool = typer.Option(False, "--json")) -> None:
        """Every sector with its tier, target and lead unit."""
        from sqlalchemy import func, select

        from camsla.db.models import Camera, Sector

        with database().session() as s:
            counts = dict(s.execute(select(Camera.sector_code, func.count()).group_by(Camera.sector_code)).all())
            rows = [
                {"code": x.code, "name": x.name, "name_en": x.name_en, "tier": x.tier, "target": x.target,
                 "lead_unit": x.lead_unit, "cameras": counts.get(x.code, 0)}
                for x in s.scalars(select(Sector).order_by(Sector.tier, Sector.code))
            ]
        if as_json:
            typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for r in rows:
            typer.echo(f"{r['code']:<17} {r['tier']:<13} {r['target']:.2%}  {r['cameras']:>6}  {r['name']}")

    @sec.command("set")
    def set_cmd(
        code: str = typer.Argument(...),
        target: float | None = typer.Option(None, "--target", help="e.g. 0.97"),
        name: str | None = typer.Option(None, "--name"),
        lead_unit: str | None = typer.Option(None, "--lead-unit"),
        tier: str | None = typer.Option(None, "--tier", help="key_public or key_industry (creates a new sector)"),
    ) -> None:
        """Change a sector's target, name or lead unit; with --tier and --name, add a new sector."""
        from camsla.db.models import Sector
        from camsla.kernel import TIER_TARGETS

        if target is not None and not 0 < target <= 1:
            fail(f"--target {target} must be in (0, 1]; write 98 % as 0.98")
        if tier is not None and tier not in TIER_TARGETS:
            fail(f"--tier {tier!r} must be key_public or key_industry")
        with database().session() as s:
            sector = s.get(Sector, code)
            if sector is None:
                if tier is None or name is None:
                    fail(f"unknown sector {code!r}; to add one give --tier and --name")
                sector = Sector(code=code, name=name, name_en="", tier=tier, target=target or TIER_TARGETS[tier],
                                lead_unit=lead_unit or "", builtin=False)
                s.add(sector)
            else:
                if target is not None:
                    sector.target = target
                if name is not None:
                    sector.name = name
                if lead_unit is not None:
                    sector.lead_unit = lead_unit
                if tier is not None:
                    sector.tier = tier
            typer.echo(f"{sector.code}: {sector.name} tier={sector.tier} target={sector.target:.2%} lead_unit={sector.lead_unit}")

    app.add_typer(sec, name="sectors")
