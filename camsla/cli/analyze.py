"""`camsla analyze IMAGE [--reference REF] [--previous PREV] [--json]`: image-quality diagnosis
(视频质量诊断) of one frame.

Exit status 0 whether or not faults are found (the faults are the answer); 1 when an image file
is missing or unreadable (the message names it) or the configured thresholds are bad. A file
that exists but does not decode as an image is a usage error too: ``analyze_bytes`` maps such
bytes to ``decode_error`` for the grabber, but here the user named the wrong file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from camsla.cli.common import fail, settings
from camsla.kernel import FAULT_LABELS_ZH


def _load(path: Path, what: str) -> Any:
    from probe.image import decode

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        fail(f"找不到文件 / file not found ({what}): {path}")
    except IsADirectoryError:
        fail(f"不是文件 / not a file ({what}): {path}")
    except OSError as e:
        fail(f"无法读取文件 / cannot read file ({what}): {path}: {e.strerror or e}")
    frame = decode(data)
    if frame is None:
        fail(f"无法解码图像 / not a readable image ({what}): {path}")
    return frame


def _value(v: Any) -> Any:
    return round(v, 4) if isinstance(v, float) else v


def summary(image: Path, verdict: Any) -> str:
    lines = [f"{image}: {'夜间/红外 night (IR)' if verdict.night else '白天 day'}"]
    if verdict.faults:
        lines.append("故障 / faults: " + ", ".join(f"{FAULT_LABELS_ZH.get(f, f)} ({f})" for f in verdict.faults))
    else:
        lines.append("正常 / normal: 未发现图像故障 / no image fault found")
    lines.append("指标 / metrics:")
    lines.extend(f"  {k} = {_value(v)}" for k, v in verdict.metrics.items())
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    @app.command("analyze")
    def analyze_cmd(
        image: Path = typer.Argument(..., help="the frame to diagnose (JPEG, PNG, ...)"),
        reference: Path | None = typer.Option(None, "--reference", help="the camera's reference frame (for scene_change, occlusion, blur, colour cast)"),
        previous: Path | None = typer.Option(None, "--previous", help="the previous frame (for frozen)"),
        as_json: bool = typer.Option(False, "--json", help="print one JSON object: faults, metrics, night"),
    ) -> None:
        """图像质量诊断 / image-quality diagnosis of one frame."""
        from probe.image import Thresholds, ThresholdsError, analyze

        frame = _load(image, "IMAGE")
        ref = _load(reference, "--reference") if reference is not None else None
        prev = _load(previous, "--previous") if previous is not None else None
        try:
            thresholds = Thresholds.merged(settings().image.thresholds)
        except ThresholdsError as e:
            fail(f"设置错误 / settings error: [image] thresholds: {e}")
        verdict = analyze(frame, reference=ref, previous=prev, thresholds=thresholds)
        if as_json:
            out = {
                "image": str(image),
                "faults": list(verdict.faults),
                "night": verdict.night,
                "metrics": {k: _value(v) for k, v in verdict.metrics.items()},
            }
            typer.echo(json.dumps(out, ensure_ascii=False))
        else:
            typer.echo(summary(image, verdict))
