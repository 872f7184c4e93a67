"""Leases on the jobs that one daemon at a time may run (the mailbox, the phone-log
folder, the sweep, the digest), for sites where two daemons share one database.

Times are seconds since the epoch by the database server's clock, so that two machines
whose clocks differ agree on when a lease ran out.

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_lease",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("holder", sa.String(255), nullable=False),
        sa.Column("since", sa.Float(), nullable=False),
        sa.Column("renewed", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_job_lease"),
    )


def downgrade() -> None:
    op.drop_table("job_lease")
