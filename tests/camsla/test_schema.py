"""The migrations produce exactly the models' schema, with the built-in sectors, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select

from camsla.db.models import Base, Sector
from camsla.kernel import BUILTIN_SECTORS
from tests.camsla.cli_runner import run


def test_migrated_schema_matches_the_models(db):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_fifteen_builtin_sectors_with_their_targets(db):
    with db.session() as s:
        got = {x.code: (x.tier, x.target) for x in s.scalars(select(Sector))}
    assert got == {d.code: (d.tier, d.target) for d in BUILTIN_SECTORS}
    assert len(got) == 15
    assert got["public_area"] == ("key_public", 0.98) and got["finance"] == ("key_industry", 0.95)


def test_sectors_list_and_set_target(cli_env, db):
    r = run("sectors", "set", "finance", "--target", "0.97", "--lead-unit", "人民银行")
    assert r.exit_code == 0 and "target=97.00%" in r.output
    import json

    rows = {x["code"]: x for x in json.loads(run("sectors", "list", "--json").stdout)}
    assert rows["finance"]["target"] == 0.97 and rows["finance"]["lead_unit"] == "人民银行"
    assert run("sectors", "set", "finance", "--target", "98").exit_code == 1  # 98 % is written 0.98
    r = run("sectors", "set", "port", "--tier", "key_industry", "--name", "港口码头")
    assert r.exit_code == 0 and "target=95.00%" in r.output
    assert run("sectors", "set", "nowhere", "--target", "0.9").exit_code == 1
