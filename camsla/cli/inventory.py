"""`camsla inventory import|export`: the camera inventory as CSV or XLSX."""

from __future__ import annotations

from pathlib import Path

import typer

from camsla.cli.common import database, fail, settings


def register(app: typer.Typer) -> None:
    inv = typer.Typer(help="点位台账 / camera inventory.", no_args_is_help=True)

    @inv.command("import")
    def import_cmd(
        file: Path = typer.Argument(..., help="FILE.csv or FILE.xlsx, header row first"),
        partial: bool = typer.Option(False, "--partial", help="write the good rows even if some are bad"),
    ) -> None:
        """Upsert cameras by camera_id. A file with bad rows changes nothing unless --partial."""
        from camsla.inventory import InventoryFileError, import_inventory

        db = database()
        try:
            with db.session() as s:
                report = import_inventory(s, file, settings().tz, partial=partial)
        except InventoryFileError as e:
            fail(f"导入失败 / import failed: {e}")
        for problem in report.header_problems:
            typer.echo(f"{file}: header: {problem}", err=True)
        for number, reason in report.errors:
            typer.echo(f"{file}: row {number}: {reason}", err=True)
        if report.header_problems:
            fail(f"{file}: nothing imported (bad header)")
        if not report.written:
            fail(f"{file}: {len(report.errors)} bad row(s); nothing imported (use --partial to import the good rows)")
        typer.echo(
            f"{file}: {report.created} created, {report.updated} updated, {report.unchanged} unchanged"
            + (f", {len(report.errors)} bad row(s) skipped" if report.errors else "")
        )

    @inv.command("export")
    def export_cmd(
        file: Path = typer.Argument(..., help="FILE.csv or FILE.xlsx"),
        with_secrets: bool = typer.Option(False, "--with-secrets", help="include the password column"),
    ) -> None:
        """Write every camera with the import columns (re-importable)."""
        from camsla.inventory import InventoryFileError, export_inventory

        db = database()
        try:
            with db.session() as s:
                n = export_inventory(s, file, settings().tz, with_secrets=with_secrets)
        except InventoryFileError as e:
            fail(f"导出失败 / export failed: {e}")
        typer.echo(f"{file}: {n} camera(s) exported")

    app.add_typer(inv, name="inventory")
