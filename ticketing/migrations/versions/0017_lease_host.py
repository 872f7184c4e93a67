"""Which machine's process space a lease's holder runs in: the boot of its kernel and its
PID namespace, so that a daemon restarted there can tell that its predecessor, named by
the lease, is no longer running, and take the lease at once.

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job_lease") as batch:
        batch.add_column(sa.Column("host_key", sa.String(128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job_lease") as batch:
        batch.drop_column("host_key")
