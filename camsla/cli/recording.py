"""`camsla recording check CAMERA [--json]`: the recording timeline found, its gaps, the days kept
and the recording faults of one camera.

Exit status: 0 recording intact, 1 recording faults found, 2 the check could not run (unknown
camera, unreachable recorder, refused credentials, no Profile G, footage root missing...).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, tzinfo
from typing import Any

import typer

from camsla.cli.common import database, fail, settings

TIMELINE_SHOWN = 20  # newest stretches printed; --json has them all


def _local(t: datetime, tz: tzinfo) -> str:
    return t.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def _span_text(seconds: float) -> str:
    if seconds >= 86_400:
        return f"{seconds / 86_400:.1f} 天 / days"
    if seconds >= 3_600:
        return f"{seconds / 3_600:.1f} 小时 / h"
    if seconds >= 60:
        return f"{seconds / 60:.0f} 分钟 / min"
    return f"{seconds:.0f} 秒 / s"


def report_json(report: Any, tz: tzinfo) -> dict[str, Any]:
    return {
        "camera_id": report.camera_id,
        "source": report.source,
        "checked_at": report.now.astimezone(tz).isoformat(),
        "status": report.status,
        "faults": list(report.faults),
        "timeline": [
            {"start": s.start.astimezone(tz).isoformat(), "end": s.end.astimezone(tz).isoformat(),
             "duration_s": round(s.duration_s, 1)}
            for s in report.timeline
        ],
        "gaps": [
            {"start": g.start.astimezone(tz).isoformat(), "end": g.end.astimezone(tz).isoformat(),
             "duration_s": round(g.duration_s, 1)}
            for g in report.gaps
        ],
        "retention_days": None if report.retention_days is None else round(report.retention_days, 3),
        "required_days": round(report.required_days, 3),
        "metrics": dict(report.metrics),
    }


def report_text(report: Any, name: str, tz: tzinfo, tz_name: str) -> str:
    from camsla.kernel import FAULT_LABELS_ZH

    m = report.metrics
    lines = [
        f"点位 / camera {report.camera_id} {name}",
        f"录像来源 / source: {report.source}    检测时间 / checked at: {_local(report.now, tz)} ({tz_name})",
        f"录像时间线 / timeline: {len(report.timeline)} 段 / stretches",
    ]
    shown = report.timeline[-TIMELINE_SHOWN:]
    if len(report.timeline) > len(shown):
        lines.append(f"  … 更早 {len(report.timeline) - len(shown)} 段 / {len(report.timeline) - len(shown)} earlier")
    for s in shown:
        lines.append(f"  {_local(s.start, tz)} → {_local(s.end, tz)}  ({_span_text(s.duration_s)})")
    if not report.timeline:
        lines.append("  无录像 / no footage found")
    lines.append(
        f"录像缺失 / gaps (> {m.get('gap_threshold_s', 0):g} s, 最近 24 小时 / last 24 h): {len(report.gaps)}"
    )
    for g in report.gaps:
        lines.append(f"  {_local(g.start, tz)} → {_local(g.end, tz)}  ({_span_text(g.duration_s)})")
    kept = "—" if report.retention_days is None else f"{report.retention_days:.1f}"
    lines.append(f"存储天数 / retention: {kept} 天 / days (要求 / required {report.required_days:.1f})")
    if m.get("configured_retention_days") is not None:
        lines.append(f"  录像机设置 / recorder configured: {m['configured_retention_days']:g} 天 / days")
    age = m.get("newest_age_s")
    lines.append(f"最新录像 / newest footage: {'—' if age is None else _span_text(float(age)) + ' 前 / ago'}")
    if m.get("storage_detail"):
        lines.append(f"存储 / storage: {m['storage_detail']}")
    if m.get("corrupt_files"):
        lines.append(f"损坏文件 / corrupt files: {m['corrupt_files']}: {m.get('corrupt')}")
    if m.get("gaps_known") is False:
        lines.append("注意 / note: 设备不支持录像事件检索，无法发现中间缺失 / the device has no event search; gaps cannot be seen")
    if report.faults:
        labels = ", ".join(f"{FAULT_LABELS_ZH.get(f, f)} {f}" for f in report.faults)
        lines.append(f"结论 / verdict: 故障 / fail — {labels}")
    else:
        lines.append("结论 / verdict: 正常 / ok")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    rec = typer.Typer(help="录像完整性 / recording integrity.", no_args_is_help=True)

    @rec.command("check")
    def check_cmd(
        camera: str = typer.Argument(..., help="camera ID (20-digit GB/T 28181)"),
        as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
    ) -> None:
        """Check one camera's recording now: timeline, gaps, retention days and faults.

        Exit 0 intact, 1 faults found, 2 the check could not run."""
        import asyncio

        from camsla.db.models import Camera
        from probe.recording import RecordingSourceError, RecordingTarget, inspect_recording

        cfg = settings()
        with database().session() as s:
            cam = s.get(Camera, camera)
            if cam is None:
                fail(f"点位不存在 / no camera {camera!r} in the inventory", code=2)
            target = RecordingTarget.from_camera(cam)
            name = f"{cam.name} ({cam.sector_code})"
        tz = cfg.tz
        try:
            report = asyncio.run(inspect_recording(target, cfg, datetime.now(UTC)))
        except RecordingSourceError as e:
            if as_json:
                typer.echo(json.dumps({"camera_id": camera, "source": target.source, "status": "error",
                                       "reason": e.reason, "detail": e.detail}, ensure_ascii=False, indent=2))
            else:
                typer.echo(f"无法检测 / could not check ({target.source}): {e.reason}: {e.detail}", err=True)
            raise typer.Exit(2) from None
        if as_json:
            typer.echo(json.dumps(report_json(report, tz), ensure_ascii=False, indent=2))
        else:
            typer.echo(report_text(report, name, tz, cfg.timezone))
        raise typer.Exit(1 if report.faults else 0)

    app.add_typer(rec, name="recording")
