"""An index on when complaints were received: the monthly report, the archive and the
phone-log import (looking for calls already recorded) select tickets by it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_ticket_received_at", "ticket", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_ticket_received_at", table_name="ticket")
