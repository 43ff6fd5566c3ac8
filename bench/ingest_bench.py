"""Benchmark: observations per second through `camsla ingest` into runs.

    python bench/ingest_bench.py [--cameras 2000] [--minutes 60] [--database sqlite:///...]

Generates a JSONL file of liveness results (one per camera per minute, ~3 % failures in short
episodes, which is what a real fleet sends), imports the cameras, then times `camsla ingest`
(parse + validate + fold into runs + store) in-process, twice: a first load (append path) and a
re-delivery of the same file (the duplicate path). Prints observations per second for each.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from camsla.cli import app


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cameras", type=int, default=2000)
    ap.add_argument("--minutes", type=int, default=60)
    ap.add_argument("--database", default=None, help="default: a fresh SQLite file in a temp dir")
    args = ap.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        url = args.database or f"sqlite:///{tmp / 'bench.db'}"
        env = {"CAMSLA_DATABASE_URL": url}
        ids = [f"3401000000132{i:07d}" for i in range(args.cameras)]
        inv = tmp / "cams.csv"
        inv.write_text(
            "camera_id,name,sector,ip,commissioned_at\n"
            + "".join(f"{c},bench {i},public_area,10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256},2026-01-01\n"
                      for i, c in enumerate(ids)),
            encoding="utf-8",
        )
        runner = CliRunner()
        r = runner.invoke(app, ["inventory", "import", str(inv)], env=env)
        assert r.exit_code == 0, r.output
        start = datetime(2026, 11, 1, tzinfo=UTC)
        path = tmp / "obs.jsonl"
        n = 0
        with path.open("w", encoding="utf-8") as f:
            down = {c: 0 for c in ids}
            for m in range(args.minutes):
                ts = (start + timedelta(minutes=m)).isoformat()
                for c in ids:
                    if down[c] == 0 and rng.random() < 0.005:
                        down[c] = rng.randint(1, 10)
                    if down[c]:
                        down[c] -= 1
                        rec = {"camera_id": c, "ts": ts, "check": "liveness", "status": "fail", "faults": ["timeout"]}
                    else:
                        rec = {"camera_id": c, "ts": ts, "check": "liveness", "status": "ok", "faults": []}
                    f.write(json.dumps(rec) + "\n")
                    n += 1
        print(f"{n} observations, {args.cameras} cameras x {args.minutes} minutes, database {url.split(':')[0]}")
        for label in ("first load", "re-delivery (duplicates)"):
            t0 = time.perf_counter()
            r = runner.invoke(app, ["ingest", str(path)], env=env)
            dt = time.perf_counter() - t0
            assert r.exit_code == 0, r.output
            print(f"{label:<26} {dt:7.2f} s  {n / dt:10,.0f} observations/s   ({r.output.strip().splitlines()[-1]})")


if __name__ == "__main__":
    sys.exit(main())
