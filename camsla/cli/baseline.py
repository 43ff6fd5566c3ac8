"""`camsla baseline set CAMERA [IMAGE]` and `camsla baseline show CAMERA`: a camera's reference frame."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from camsla.cli.common import database, fail, settings


def register(app: typer.Typer) -> None:
    bl = typer.Typer(help="基准画面 / reference frames for scene_change and occlusion.", no_args_is_help=True)

    @bl.command("set")
    def set_cmd(
        camera_id: str = typer.Argument(..., metavar="CAMERA"),
        image: Path | None = typer.Argument(None, help="a picture file; without it, a frame is grabbed from the camera now"),
    ) -> None:
        """Set the camera's reference frame from IMAGE, or from the camera's current picture."""
        import asyncio

        from camsla.db import baselines
        from camsla.db.models import Camera
        from camsla.service.targets import camera_target

        cfg = settings()
        db = database()
        with db.session() as s:
            cam = s.get(Camera, camera_id)
            if cam is None:
                fail(f"unknown camera {camera_id}")
            target = camera_target(cam, cfg)
        if image is not None:
            if not image.is_file():
                fail(f"{image}: no such file")
            try:
                thumb = baselines.reference_from_image(image.read_bytes(), str(image))
            except baselines.BaselineError as e:
                fail(str(e))
            source = f"file:{image.name}"[:32]
        else:
            from probe.frame import FrameError, NoFrameSource, grab_frame
            from probe.image import encode_jpeg, thumbnail

            try:
                frame = asyncio.run(grab_frame(target, cfg))
            except NoFrameSource as e:
                fail(f"camera {camera_id} has no snapshot, ONVIF or RTSP URL: {e}")
            except FrameError as e:
                fail(f"camera {camera_id}: no picture ({e.fault}): {e.reason}")
            thumb = encode_jpeg(thumbnail(frame.image))
            source = f"camera:{frame.source}"
        with db.session() as s:
            baselines.store(s, camera_id, baselines.REFERENCE, thumb, datetime.now(UTC), source)
        typer.echo(f"{camera_id}: reference frame set ({source}, {len(thumb)} bytes)")

    @bl.command("show")
    def show_cmd(
        camera_id: str = typer.Argument(..., metavar="CAMERA"),
        out: Path | None = typer.Option(None, "--out", help="write the reference thumbnail (JPEG) here"),
    ) -> None:
        """When and from what the camera's reference and previous frames were taken."""
        from camsla.db.models import Baseline

        tz = settings().tz
        with database().session() as s:
            rows = {b.kind: b for b in s.query(Baseline).filter(Baseline.camera_id == camera_id)}
        if not rows:
            fail(f"{camera_id}: no reference or previous frame stored")
        for kind in ("reference", "previous"):
            b = rows.get(kind)
            if b:
                typer.echo(f"{kind:<9} {b.taken_at.astimezone(tz).isoformat()}  {b.source}  {len(b.image)} bytes")
        if out is not None:
            if "reference" not in rows:
                fail(f"{camera_id}: no reference frame to write")
            out.write_bytes(rows["reference"].image)
            typer.echo(f"reference written to {out}")

    app.add_typer(bl, name="baseline")
