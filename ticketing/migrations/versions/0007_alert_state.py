"""Alerts about the program itself (a failing job, a mailbox not read).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alert_state",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("raised_at", TS, nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("cleared_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_alert_state"),
    )


def downgrade() -> None:
    op.drop_table("alert_state")
