"""Several writers at once leave exactly the runs, current state and figures of one: five
`camsla ingest` processes on the same cameras -- shuffled, interleaved deliveries and a re-delivery
of half of them -- against the test database (SQLite or PostgreSQL), compared with one serial load."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from camsla.db import sla_report
from camsla.db.models import CameraDay, CurrentState, RawObservation, Run
from tests.camsla.cli_runner import run

CAMS = [f"340100000013200{i:05d}" for i in range(20)]
START = datetime(2026, 11, 1, tzinfo=UTC)
STALE = {"liveness": 300.0, "image": 10_800.0, "recording": 93_600.0}


def _observations() -> list[str]:
    rng = random.Random(11)
    out = []
    for cid in CAMS:
        down = 0
        for m in range(240):
            ts = (START + timedelta(minutes=m, seconds=rng.randint(0, 5))).isoformat()
            if not down and rng.random() < 0.03:
                down = rng.randint(1, 12)
            status, faults = ("fail", ["timeout"]) if down else ("ok", [])
            down = max(0, down - 1)
            out.append(json.dumps({"camera_id": cid, "ts": ts, "check": "liveness", "status": status, "faults": faults}))
            if m % 15 == 0:
                bad = rng.random() < 0.2
                out.append(json.dumps({"camera_id": cid, "ts": ts, "check": "image", "status": "fail" if bad else "ok",
                                       "faults": ["blur"] if bad else []}))
    return out


def _snapshot(db) -> tuple:  # noqa: ANN001
    with db.session() as s:
        runs = sorted(s.execute(select(Run.camera_id, Run.check, Run.status, Run.faults, Run.first_ts, Run.last_ts,
                                       Run.n_obs)).all())
        current = sorted(s.execute(select(CurrentState.camera_id, CurrentState.check, CurrentState.status,
                                          CurrentState.since, CurrentState.last_ts)).all())
    report = sla_report(db, START, START + timedelta(days=1), STALE, now=START + timedelta(days=2), tz="UTC")
    return runs, current, [(c.camera_id, c.seconds) for c in report.cameras]


def _ingest_at_once(files: list[Path], env: dict[str, str], cwd: Path) -> None:
    procs = [subprocess.Popen([sys.executable, "-m", "camsla", "ingest", str(f)], cwd=cwd, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for f in files]
    for p in procs:
        out, _ = p.communicate(timeout=300)
        assert p.returncode == 0, out


@pytest.mark.slow
def test_concurrent_ingests_equal_one_serial_load(db, db_url, cli_env, tmp_path: Path) -> None:
    inv = tmp_path / "cams.csv"
    inv.write_text("camera_id,name,sector,ip,commissioned_at\n"
                   + "".join(f"{c},点位,public_area,127.0.0.1,2026-01-01\n" for c in CAMS), encoding="utf-8")
    assert run("inventory", "import", str(inv)).exit_code == 0
    lines = _observations()
    rng = random.Random(5)
    shuffled = lines[:]
    rng.shuffle(shuffled)
    parts = [shuffled[i::4] for i in range(4)] + [rng.sample(lines, len(lines) // 2)]  # + a re-delivery
    files = []
    for i, part in enumerate(parts):
        files.append(tmp_path / f"part{i}.jsonl")
        files[-1].write_text("\n".join(part) + "\n", encoding="utf-8")
    env = {**os.environ, "CAMSLA_DATABASE_URL": db_url, "CAMSLA_TIMEZONE": "UTC"}
    _ingest_at_once(files, env, tmp_path)
    concurrent = _snapshot(db)

    with db.session() as s:
        for table in (RawObservation, Run, CurrentState, CameraDay):
            s.execute(delete(table))
    whole = tmp_path / "all.jsonl"
    whole.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _ingest_at_once([whole], env, tmp_path)
    serial = _snapshot(db)

    assert concurrent[0] == serial[0]  # runs
    assert concurrent[1] == serial[1]  # current state
    assert concurrent[2] == serial[2]  # figures
