"""The deadline index on (due_at, id), the order in which the deadline sweep reads its
pages: PostgreSQL walks it from the previous page's last (due_at, id) and stops after
one page. On due_at alone it sorted every page, and at times (the planner's choice) read
and sorted every ticket past its deadline for each one. On SQLite the row id was in
every entry already.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_ticket_due_at_id", "ticket", ["due_at", "id"])
    op.drop_index("ix_ticket_due_at", table_name="ticket")


def downgrade() -> None:
    op.create_index("ix_ticket_due_at", "ticket", ["due_at"])
    op.drop_index("ix_ticket_due_at_id", table_name="ticket")
