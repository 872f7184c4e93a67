"""Senders held for flooding the mailbox.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sender_hold",
        sa.Column("address", sa.String(), nullable=False),
        sa.Column("since", TS, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("released_at", TS, nullable=True),
        sa.Column("released_by", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("address", name="pk_sender_hold"),
    )


def downgrade() -> None:
    op.drop_table("sender_hold")
