"""durable current state and the daily rollup

Revision ID: 0002
Revises: 0001

``current_state``: the newest result per camera and check (written with the runs).
``camera_day``: exact seconds per state per camera and local day (the daily rollup).
Both are derived from the runs: this migration fills current_state from the newest run of each
camera and check; the rollup fills itself as days are read.
"""

import sqlalchemy as sa
from alembic import op

import camsla.db.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "current_state",
        sa.Column("camera_id", sa.String(length=20), nullable=False),
        sa.Column("check", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("faults", camsla.db.types.FaultList(), nullable=False),
        sa.Column("since", camsla.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_ts", camsla.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stale_after_s", sa.Float(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("camera_id", "check"),
    )
    op.create_index("current_state_status", "current_state", ["status"], unique=False)
    op.create_table(
        "camera_day",
        sa.Column("camera_id", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("ok_us", sa.BigInteger(), nullable=False),
        sa.Column("degraded_us", sa.BigInteger(), nullable=False),
        sa.Column("offline_us", sa.BigInteger(), nullable=False),
        sa.Column("unknown_us", sa.BigInteger(), nullable=False),
        sa.Column("excluded_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("camera_id", "day"),
    )
    op.create_index("camera_day_day", "camera_day", ["day"], unique=False)
    # The newest run of each camera and check is its current state (metrics are not in runs).
    # stale_after_s: the setting's default; the service writes the one in force from now on.
    op.execute(
        """
        INSERT INTO current_state (camera_id, "check", status, faults, since, last_ts, stale_after_s, metrics, source)
        SELECT r.camera_id, r."check", r.status, r.faults, r.first_ts, r.last_ts,
               CASE r."check" WHEN 'liveness' THEN 300.0 WHEN 'image' THEN 10800.0 ELSE 93600.0 END,
               NULL, ''
        FROM run r
        JOIN (SELECT camera_id, "check", MAX(first_ts) AS first_ts FROM run GROUP BY camera_id, "check") t
          ON t.camera_id = r.camera_id AND t."check" = r."check" AND t.first_ts = r.first_ts
        """
    )


def downgrade() -> None:
    op.drop_index("camera_day_day", table_name="camera_day")
    op.drop_table("camera_day")
    op.drop_index("current_state_status", table_name="current_state")
    op.drop_table("current_state")
