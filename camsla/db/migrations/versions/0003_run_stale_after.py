"""the stale_after each run was folded under

Revision ID: 0003
Revises: 0002

DESIGN: the stale_after in force when a result was folded is stored with its run, so changing the
setting changes the future, never the past. Runs folded before this are NULL: the setting in force
when figures are read applies to them, as it did before.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("run") as batch:
        batch.add_column(sa.Column("stale_after_s", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("run") as batch:
        batch.drop_column("stale_after_s")
