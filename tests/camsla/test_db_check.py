"""`camsla db check` finds overlapping runs and a current state that is not the newest run, and
`--repair` re-folds them from the raw observations kept: afterwards the runs are those of a clean
load and the check passes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update

from camsla.db.models import CurrentState, Run
from tests.camsla.cli_runner import run

CAM = "34010000001320000001"
START = datetime(2026, 11, 1, tzinfo=UTC)


def _load(tmp_path) -> None:  # noqa: ANN001
    inv = tmp_path / "cams.csv"
    inv.write_text(f"camera_id,name,sector,ip,commissioned_at\n{CAM},测试,public_area,127.0.0.1,2026-01-01\n",
                   encoding="utf-8")
    assert run("inventory", "import", str(inv)).exit_code == 0
    lines = [json.dumps({"camera_id": CAM, "ts": (START + timedelta(minutes=m)).isoformat(), "check": "liveness",
                         "status": "fail" if 20 <= m < 30 else "ok", "faults": ["timeout"] if 20 <= m < 30 else []})
             for m in range(60)]
    path = tmp_path / "obs.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run("ingest", str(path)).exit_code == 0


def _runs(db) -> list[tuple]:  # noqa: ANN001
    with db.session() as s:
        return sorted(s.execute(select(Run.status, Run.faults, Run.first_ts, Run.last_ts, Run.n_obs)).all())


def test_a_clean_database_passes(cli_env, db, tmp_path) -> None:
    _load(tmp_path)
    r = run("db", "check")
    assert r.exit_code == 0 and "no problems found" in r.output


def test_overlapping_runs_are_found_and_repaired_from_the_raw_observations(cli_env, db, tmp_path) -> None:
    _load(tmp_path)
    clean = _runs(db)
    with db.session() as s:  # what two unserialised writers left: a second copy of a run, overlapping
        s.execute(insert(Run).values(camera_id=CAM, check="liveness", status="ok", faults=(),
                                     first_ts=START + timedelta(minutes=5), last_ts=START + timedelta(minutes=40),
                                     n_obs=36))
        s.execute(update(CurrentState).values(status="fail", faults=("timeout",)))
    r = run("db", "check")
    assert r.exit_code == 1
    assert f"{CAM}/liveness: runs overlap" in r.output
    r = run("db", "check", "--repair")
    assert r.exit_code == 0, r.output
    assert _runs(db) == clean
    with db.session() as s:
        cur = s.get(CurrentState, (CAM, "liveness"))
    assert (cur.status, cur.since, cur.last_ts) == ("ok", START + timedelta(minutes=30), START + timedelta(minutes=59))
    assert run("db", "check").exit_code == 0


def test_a_current_state_that_is_not_the_newest_run_is_rewritten(cli_env, db, tmp_path) -> None:
    _load(tmp_path)
    with db.session() as s:
        s.execute(update(CurrentState).values(status="fail", faults=("timeout",)))
    r = run("db", "check")
    assert r.exit_code == 1 and "current state is not the newest run" in r.output
    assert run("db", "check", "--repair").exit_code == 0
    assert run("db", "check").exit_code == 0
