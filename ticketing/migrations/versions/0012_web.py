"""The web application: staff passwords (argon2 hashes), the requests its rate limits
count, and the public forms already registered (a form sent twice registers once).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "staff_password",
        sa.Column("staff_id", sa.String(64), nullable=False),
        sa.Column("hash", sa.Text(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("staff_id", name="pk_staff_password"),
    )
    op.create_table(
        "web_hit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_web_hit"),
    )
    op.create_index("ix_web_hit_key", "web_hit", ["kind", "key", "at"])
    op.create_table(
        "web_submission",
        sa.Column("form_id", sa.String(64), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("form_id", name="pk_web_submission"),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name="fk_web_submission_ticket_id_ticket"
        ),
    )


def downgrade() -> None:
    op.drop_table("web_submission")
    op.drop_index("ix_web_hit_key", table_name="web_hit")
    op.drop_table("web_hit")
    op.drop_table("staff_password")
