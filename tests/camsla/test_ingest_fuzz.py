"""`camsla ingest` never aborts on a line: whatever a line holds -- wrong types, absurd or
far-future times, deep nesting, NaN, oversized -- it is named with its number and skipped, and the
good lines before and after it are stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from camsla.kernel import LineError, Observation, parse_lines
from tests.camsla.cli_runner import run

CAM = "34010000001320000001"
NOW = datetime(2026, 11, 20, tzinfo=UTC)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
fields = st.fixed_dictionaries(
    {},
    optional={
        "camera_id": json_values | st.just(CAM),
        "ts": json_values | st.sampled_from(["2026-11-01T08:00:00+08:00", "0001-01-01T00:00:00+00:00",
                                             "9999-12-31T23:59:59-05:00", "2026-11-01T08:00:00", "2099-01-01T00:00Z"]),
        "check": json_values | st.sampled_from(["liveness", "image", "recording"]),
        "status": json_values | st.sampled_from(["ok", "fail", "error"]),
        "faults": json_values | st.just(["timeout"]),
        "metrics": json_values | st.just({"rtt_ms": 1.5}),
        "source": json_values,
    },
)
lines = st.one_of(
    st.text(max_size=200),
    json_values.map(lambda v: json.dumps(v)),
    fields.map(lambda d: json.dumps(d)),
    fields.map(lambda d: json.dumps(d).replace("1.5", "NaN")),
    st.integers(1, 200_000).map(lambda n: "[" * n + "]" * n),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(lines, max_size=5))
def test_no_line_makes_the_parser_raise(texts: list[str]) -> None:
    out = list(parse_lines(texts, now=NOW))
    assert all(isinstance(item, Observation | LineError) for _, item in out)
    assert [n for n, _ in out] == [i for i, t in enumerate(texts, 1) if t.strip()]


def _good(i: int) -> str:
    ts = (datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=i)).isoformat()
    return json.dumps({"camera_id": CAM, "ts": ts, "check": "liveness", "status": "ok" if i % 7 else "fail",
                       "faults": [] if i % 7 else ["timeout"]})


def _line(**fields: object) -> str:
    return json.dumps({"camera_id": CAM, "ts": "2026-11-01T00:00:00Z", "check": "liveness", "status": "ok", **fields})


BAD = [
    _line(check=["x"]),
    _line(check={"a": 1}),
    _line(ts="0001-01-01T00:00:00+08:00"),
    _line(ts="9999-12-31T23:59:59-05:00"),
    _line(ts="2099-01-01T00:00:00Z"),
    _line(metrics={"x": float("nan")}),  # json.dumps writes NaN
    _line(metrics={"x": float("inf")}),  # ... and Infinity
    "[" * 100_000 + "]" * 100_000,
    _line(source="x" * 70_000),
]


def test_bad_lines_are_named_and_the_good_ones_around_them_stored(cli_env, tmp_path) -> None:
    inv = tmp_path / "cams.csv"
    inv.write_text(f"camera_id,name,sector,ip,commissioned_at\n{CAM},测试,public_area,127.0.0.1,2026-01-01\n",
                   encoding="utf-8")
    assert run("inventory", "import", str(inv)).exit_code == 0
    path = tmp_path / "obs.jsonl"
    body = [_good(i) for i in range(1000)] + BAD + [_good(i) for i in range(1000, 2000)]
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    r = run("ingest", str(path))
    assert r.exit_code == 0, r.output
    for n in range(1001, 1001 + len(BAD)):
        assert f"line {n}:" in r.output
    assert "2000 observation(s) stored" in r.output and f"{len(BAD)} bad line(s) skipped" in r.output
    assert run("ingest", "--strict", str(path)).exit_code == 1
