"""Benchmark: `camsla sla` for a month over N cameras (reads runs, not raw results).

    python bench/sla_bench.py [--cameras 10000] [--runs-per-camera 60] [--database URL]

Writes N cameras and, per camera, a month of liveness runs (ok with short outages) and a few image
runs straight into the runs table, then times the month's report (per sector, contractor, camera)
and the same with --by day. The daily rollup is built first (what the runs of a month give per
camera and day, timed on its own: in service it is built as days end and kept current as runs
change); the reports then read it.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from camsla.db import open_db
from camsla.db.models import Camera, Run
from camsla.db.report import camera_refs, ensure_days, sla_report
from camsla.kernel import BUILTIN_SECTORS, load_settings
from sla import split_days


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cameras", type=int, default=10_000)
    ap.add_argument("--runs-per-camera", type=int, default=60)
    ap.add_argument("--database", default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        url = args.database or f"sqlite:///{Path(d) / 'sla.db'}"
        settings = load_settings(environ={"CAMSLA_DATABASE_URL": url})
        db = open_db(settings)
        rng = random.Random(3)
        start = datetime(2026, 10, 31, 16, tzinfo=UTC)  # 2026-11-01 00:00 Asia/Shanghai
        end = start + timedelta(days=30)
        cams, runs = [], []
        codes = [s.code for s in BUILTIN_SECTORS]
        for i in range(args.cameras):
            cid = f"3401000000132{i:07d}"
            cams.append({"camera_id": cid, "name": f"c{i}", "sector_code": codes[i % len(codes)], "ip": "10.0.0.1",
                         "commissioned_at": start - timedelta(days=100), "profile": {}, "updated_at": start})
            t = start
            step = (end - start) / args.runs_per_camera
            for k in range(args.runs_per_camera):
                status = "fail" if k % 2 else "ok"
                length = step * (0.98 if status == "ok" else 0.02) * 2
                runs.append({"camera_id": cid, "check": "liveness", "status": status,
                             "faults": ("timeout",) if status == "fail" else (), "first_ts": t,
                             "last_ts": t + length - timedelta(seconds=60), "n_obs": 10})
                t += length
            image = "fail" if rng.random() < 0.05 else "ok"
            runs.append({"camera_id": cid, "check": "image", "status": image,
                         "faults": ("blur",) if image == "fail" else (), "first_ts": start + timedelta(days=3), "last_ts": start + timedelta(days=4),
                         "n_obs": 96})
        with db.session() as s:
            s.connection().execute(insert(Camera.__table__), cams)
            s.connection().execute(insert(Run.__table__), runs)
        print(f"{args.cameras} cameras, {len(runs)} runs, database {url.split(':')[0]}")
        t0 = time.perf_counter()
        with db.session() as s:
            cams = camera_refs(s, start, end)
        built = ensure_days(db, cams, [d for d, _ in split_days((start, end), settings.tz)], settings.stale_after,
                            settings.tz)
        dt = time.perf_counter() - t0
        print(f"daily rollup built      {dt:6.2f} s  ({built:,} camera-days from the runs; once, then kept current)")
        for by in (None, "day"):
            t0 = time.perf_counter()
            doc = sla_report(db, start, end, settings.stale_after, by=by, tz=settings.tz).as_dict()
            dt = time.perf_counter() - t0
            pa = next(x for x in doc["sectors"] if x["code"] == "public_area")
            print(f"month report{' by day' if by else '':<8} {dt:6.2f} s  ({args.cameras / dt:,.0f} cameras/s; "
                  f"public_area normal_rate {pa['normal_rate']:.4f})")


if __name__ == "__main__":
    main()
