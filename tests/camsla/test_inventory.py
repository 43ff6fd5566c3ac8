"""`camsla inventory import|export` through the CLI, on the test database (SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from camsla.db.models import Camera, Contractor
from tests.camsla.cli_runner import run

HEADER = "camera_id,name,sector,ip,commissioned_at,class,contractor,district,rtsp_url,lat,lon"
GOOD = [
    "34010000001320000001,人民广场东,public_area,10.1.1.1,2026-01-01,1,华安运维,庐阳区,rtsp://10.1.1.1/ch1,31.86,117.28",
    "34010000001320000002,人民广场西,重点公共区域,10.1.1.2,2026-01-01T08:00:00+08:00,二类,华安运维,庐阳区,,,",
    "34010000001320000003,一中南门,campus,10.1.2.1,2026-02-01,3,,蜀山区,,,",
]


def write_csv(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def count(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Camera))


def test_good_file_creates_every_camera(cli_env, db, tmp_path):
    r = run("inventory", "import", str(write_csv(tmp_path / "a.csv", HEADER, *GOOD)))
    assert r.exit_code == 0, r.output
    assert "3 created" in r.output
    with db.session() as s:
        cam = s.get(Camera, "34010000001320000001")
        assert cam.sector_code == "public_area" and cam.camera_class == 1 and cam.district == "庐阳区"
        assert cam.commissioned_at == datetime(2025, 12, 31, 16, 0, tzinfo=UTC)  # local midnight, Asia/Shanghai
        assert cam.lat == pytest.approx(31.86)
        assert s.get(Camera, "34010000001320000002").sector_code == "public_area"  # Chinese sector name accepted
        assert s.scalar(select(func.count()).select_from(Contractor)) == 1


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("3401000000132000001,x,public_area,10.0.0.1,2026-01-01", "not a 20-digit GB/T 28181"),
        ("3401000000132000000A,x,public_area,10.0.0.1,2026-01-01", "not a 20-digit GB/T 28181"),
        ("34010000001320000009,,public_area,10.0.0.1,2026-01-01", "name is empty"),
        ("34010000001320000009,x,moon_base,10.0.0.1,2026-01-01", "unknown sector 'moon_base'"),
        ("34010000001320000009,x,public_area,10.0.0.256,2026-01-01", "not an IPv4 or IPv6 address"),
        ("34010000001320000009,x,public_area,10.0.0.1,2026-02-30", "not a date or ISO-8601 time"),
        ("34010000001320000009,x,public_area,10.0.0.1,", "commissioned_at is empty"),
        ("34010000001320000009,x,public_area,10.0.0.1,2026-01-01,4", "class '4' is not 1, 2 or 3"),
        ("34010000001320000009,x,public_area,10.0.0.1,2026-01-01,1,,,http://x/ch1", "rtsp_url 'http://x/ch1' does not start with rtsp://"),
        ("34010000001320000009,x,public_area,10.0.0.1,2026-01-01,1,,,,95,0", "lat 95.0 is outside ±90"),
        ("34010000001320000009,x,public_area,10.0.0.1,2026-01-01,1,,,,north,0", "lat 'north' is not a number"),
        ("34010000001320000001,dup,public_area,10.0.0.1,2026-01-01", "already appears in row 2"),
    ],
)
def test_each_kind_of_bad_row_is_named_and_nothing_is_written(cli_env, db, tmp_path, row, reason):
    path = write_csv(tmp_path / "bad.csv", HEADER, GOOD[0], row)
    r = run("inventory", "import", str(path))
    assert r.exit_code == 1
    assert "row 3: " in r.output and reason in r.output, r.output
    assert "nothing imported" in r.output
    assert count(db) == 0


def test_decommissioning_before_commissioning_is_a_bad_row(cli_env, db, tmp_path):
    path = write_csv(
        tmp_path / "d.csv",
        "camera_id,name,sector,ip,commissioned_at,decommissioned_at",
        "34010000001320000001,x,public_area,10.0.0.1,2026-03-01,2026-02-01",
    )
    r = run("inventory", "import", str(path))
    assert r.exit_code == 1 and "row 2: decommissioned_at is not after commissioned_at" in r.output


def test_partial_imports_the_good_rows_and_names_the_bad(cli_env, db, tmp_path):
    path = write_csv(tmp_path / "p.csv", HEADER, GOOD[0], "bad,x,public_area,10.0.0.1,2026-01-01", GOOD[1])
    r = run("inventory", "import", "--partial", str(path))
    assert "row 3:" in r.output and "2 created" in r.output
    assert r.exit_code == 0  # the user asked for the good rows; the bad ones are named above
    assert count(db) == 2


def test_missing_and_unknown_columns_reject_the_file(cli_env, db, tmp_path):
    r = run("inventory", "import", str(write_csv(tmp_path / "h.csv", "camera_id,name,sectr,ip", "1,2,3,4")))
    assert r.exit_code == 1
    assert "missing required column(s): sector, commissioned_at" in r.output
    assert "unknown column(s): sectr" in r.output
    assert count(db) == 0


def test_reimport_updates_by_camera_id_and_keeps_absent_columns(cli_env, db, tmp_path):
    run("inventory", "import", str(write_csv(tmp_path / "a.csv", HEADER, *GOOD)))
    r = run(
        "inventory", "import",
        str(write_csv(tmp_path / "b.csv", "camera_id,name,sector,ip,commissioned_at",
                      "34010000001320000001,人民广场东(新),public_area,10.1.1.9,2026-01-01",
                      "34010000001320000002,人民广场西,public_area,10.1.1.2,2026-01-01T08:00:00+08:00")),
    )
    assert r.exit_code == 0, r.output
    assert "0 created, 1 updated, 1 unchanged" in r.output
    with db.session() as s:
        cam = s.get(Camera, "34010000001320000001")
        assert (cam.name, cam.ip, cam.district, cam.camera_class) == ("人民广场东(新)", "10.1.1.9", "庐阳区", 1)
    assert count(db) == 3


def test_xlsx_import_and_export_round_trip(cli_env, db, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["name", "camera_id", "sector", "ip", "commissioned_at", "class"])  # any column order
    ws.append(["北门", "34010000001320000011", "finance", "10.2.0.1", datetime(2026, 3, 1, 9, 30), 2])
    ws.append(["南门", "34010000001320000012", "finance", "10.2.0.2", "2026-03-02", "1"])
    wb.save(tmp_path / "in.xlsx")
    r = run("inventory", "import", str(tmp_path / "in.xlsx"))
    assert r.exit_code == 0 and "2 created" in r.output, r.output
    with db.session() as s:
        assert s.get(Camera, "34010000001320000011").commissioned_at == datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
    for suffix in ("xlsx", "csv"):
        out = tmp_path / f"out.{suffix}"
        assert run("inventory", "export", str(out)).exit_code == 0
        again = run("inventory", "import", str(out))
        assert again.exit_code == 0 and "0 created, 0 updated, 2 unchanged" in again.output, again.output


def test_xlsx_camera_id_stored_as_number_is_caught(cli_env, db, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["camera_id", "name", "sector", "ip", "commissioned_at"])
    ws.append([34010000001320000011, "北门", "finance", "10.2.0.1", "2026-03-01"])
    wb.save(tmp_path / "n.xlsx")
    r = run("inventory", "import", str(tmp_path / "n.xlsx"))
    assert r.exit_code == 1 and "row 2:" in r.output and "format the column as text" in r.output


def test_unreadable_file_is_named(cli_env, db, tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    r = run("inventory", "import", str(tmp_path / "broken.xlsx"))
    assert r.exit_code == 1 and "broken.xlsx: not a readable XLSX workbook" in r.output
    r = run("inventory", "import", str(tmp_path / "missing.csv"))
    assert r.exit_code == 1 and "missing.csv: no such file" in r.output


def test_gb18030_csv_from_excel_is_read(cli_env, db, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(("\n".join([HEADER, GOOD[0]]) + "\n").encode("gb18030"))
    r = run("inventory", "import", str(path))
    assert r.exit_code == 0, r.output
    with db.session() as s:
        assert s.get(Camera, "34010000001320000001").name == "人民广场东"


def test_liveness_kinds_column_sets_the_cameras_probe_profile(cli_env, db, tmp_path):
    path = write_csv(
        tmp_path / "k.csv",
        "camera_id,name,sector,ip,commissioned_at,liveness_kinds",
        "34010000001320000001,x,public_area,10.0.0.1,2026-01-01,tcp;http",
        "34010000001320000002,y,public_area,10.0.0.2,2026-01-01,",
    )
    assert run("inventory", "import", str(path)).exit_code == 0
    with db.session() as s:
        assert s.get(Camera, "34010000001320000001").profile == {"liveness_kinds": ["tcp", "http"]}
        assert s.get(Camera, "34010000001320000002").profile == {}
    bad = write_csv(tmp_path / "b.csv", "camera_id,name,sector,ip,commissioned_at,liveness_kinds",
                    "34010000001320000001,x,public_area,10.0.0.1,2026-01-01,tcp;snmp")
    r = run("inventory", "import", str(bad))
    assert r.exit_code == 1 and "row 2: liveness_kinds snmp unknown" in r.output
    assert run("inventory", "export", str(tmp_path / "out.csv")).exit_code == 0
    assert "tcp;http" in (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
