"""The daemon's jobs: when each last ran and how it went.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "job_state",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("last_started", TS, nullable=True),
        sa.Column("last_success", TS, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", TS, nullable=True),
        sa.Column("failing_since", TS, nullable=True),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_job_state"),
    )


def downgrade() -> None:
    op.drop_table("job_state")
