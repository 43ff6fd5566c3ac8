"""`camsla serve` (the whole service) and `camsla demo` (the same on a simulated loopback fleet)."""

from __future__ import annotations

import asyncio
import csv
import logging
import socket
import tempfile
from pathlib import Path

import typer

from camsla.cli.common import fail, settings

DEMO_DATABASE = "sqlite:///camsla-demo.db"


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("apscheduler", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def run_async(main) -> None:  # noqa: ANN001 - a coroutine
    """Run the service's event loop: uvloop where installed (about 1.7x the probes per CPU-second
    of the stock loop, bench/liveness_bench.py), with the start-up objects frozen out of the GC."""
    import gc

    try:
        import uvloop

        factory = uvloop.new_event_loop
    except ImportError:  # pragma: no cover - uvloop is a dependency except on Windows
        factory = None
    gc.collect()
    gc.freeze()  # settings, models, WSDLs: long-lived, never garbage; fewer objects to scan per cycle
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(main)


def import_fleet(db, rows: list[dict], tz) -> str:  # noqa: ANN001
    """Load the simulated fleet through the real inventory importer (a CSV, as a user would)."""
    from camsla.inventory import import_inventory

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "demo-fleet.csv"
        columns = list(rows[0])
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, columns)
            w.writeheader()
            w.writerows(rows)
        with db.session() as s:
            report = import_inventory(s, path, tz)
    if not report.ok:
        raise RuntimeError(f"demo inventory did not import: {report.header_problems or report.errors[:3]}")
    # simulated cameras of an earlier, larger demo run have no responder now: take them out of service
    from datetime import UTC, datetime

    from sqlalchemy import update

    from camsla.db.models import Camera

    keep = [r["camera_id"] for r in rows]
    with db.session() as s:
        gone = s.execute(
            update(Camera)
            .where(Camera.ip.like("127.77.%"), Camera.camera_id.not_in(keep), Camera.decommissioned_at.is_(None))
            .values(decommissioned_at=datetime.now(UTC))
        ).rowcount
    return f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged, {gone} retired"


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve_cmd(
        host: str | None = typer.Option(None, "--host", help="web address (default from settings: 127.0.0.1)"),
        port: int | None = typer.Option(None, "--port", help="web port (default from settings: 8080)"),
        verbose: bool = typer.Option(False, "--verbose", "-v"),
    ) -> None:
        """The whole service: scheduler, probes, web pages, JSON API and /metrics."""
        from camsla.service.app import run_service
        from camsla.service.targets import NoInventory

        cfg = settings()
        web = cfg.web.model_copy(update={k: v for k, v in (("host", host), ("port", port)) if v is not None})
        cfg = cfg.model_copy(update={"web": web})
        _logging(verbose)
        try:
            run_async(run_service(cfg, on_ready=lambda url: typer.echo(f"camsla serving at {url}")))
        except KeyboardInterrupt:
            pass
        except NoInventory as e:
            fail(f"camsla serve cannot start: {e}")

    @app.command("demo")
    def demo_cmd(
        cameras: int = typer.Option(300, "--cameras", min=1, max=5000, help="size of the simulated fleet"),
        seed: int = typer.Option(7, "--seed"),
        port: int = typer.Option(8080, "--port", help="web port (a free one is picked if taken)"),
        interval: float = typer.Option(10.0, "--interval", min=1.0, help="liveness cadence in seconds"),
        database: str = typer.Option(DEMO_DATABASE, "--database", help="embedded database for the demo"),
        duration: float | None = typer.Option(None, "--duration", help="stop after this many seconds"),
        verbose: bool = typer.Option(False, "--verbose", "-v"),
    ) -> None:
        """The service against a simulated fleet on loopback, on the embedded database, no set-up."""
        from camsla.db import open_db
        from camsla.demo import Fleet
        from camsla.service.app import Service, run_service
        from camsla.service.buffer import ObservationBuffer

        base = settings()
        web_port = port if _port_free("127.0.0.1", port) else 0
        cfg = base.model_copy(
            update={
                "database_url": database,
                "web": base.web.model_copy(update={"host": "127.0.0.1", "port": web_port}),
                "image": base.image.model_copy(update={"interval_s": min(base.image.interval_s, 60.0)}),
                "probe": base.probe.model_copy(
                    update={"liveness_interval_s": interval, "timeout_s": min(base.probe.timeout_s, 3.0),
                            "default_kinds": ["rtsp", "http"]}
                ),
            }
        )
        _logging(verbose)

        async def main() -> None:
            fleet = await Fleet(cameras, seed=seed).start()
            try:
                db = open_db(cfg)
                summary = await asyncio.to_thread(import_fleet, db, fleet.cameras, cfg.tz)
                typer.echo(f"demo fleet: {cameras} simulated cameras on 127.77.0.0/16 ({summary})")
                service = Service(settings=cfg, db=db, buffer=ObservationBuffer(db, cfg))

                def ready(url: str) -> None:
                    typer.echo(f"camsla demo: open {url}  (Ctrl-C to stop)")

                stop = asyncio.Event()
                if duration is not None:
                    asyncio.get_running_loop().call_later(duration, stop.set)
                await run_service(cfg, service=service, on_ready=ready, stop=stop)
            finally:
                await fleet.stop()

        try:
            run_async(main())
        except KeyboardInterrupt:
            pass
        except OSError as e:
            fail(f"demo could not start: {e}")
