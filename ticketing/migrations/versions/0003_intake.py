"""Inbound messages, incomplete reports (submissions) and the mailbox's reading position.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "submission",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sender", sa.String(), nullable=False),
        sa.Column("sender_name", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("first_message_id", sa.String(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_submission"),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name="fk_submission_ticket_id_ticket"
        ),
    )
    op.create_index("ix_submission_sender", "submission", ["sender", "status"])

    op.create_table(
        "inbound",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("message_id", sa.String(), nullable=True),
        sa.Column("raw_sha256", sa.String(64), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("from_address", sa.String(), nullable=True),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=True),
        sa.Column("uid", sa.BigInteger(), nullable=True),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_inbound"),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"], name="fk_inbound_ticket_id_ticket"),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submission.id"], name="fk_inbound_submission_id_submission"
        ),
    )
    op.create_index("ix_inbound_message_id", "inbound", ["message_id"])
    op.create_index("ix_inbound_raw_sha256", "inbound", ["raw_sha256"])
    op.create_index("ix_inbound_sender", "inbound", ["from_address", "created_at"])

    op.create_table(
        "mailbox_state",
        sa.Column("folder", sa.String(), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("last_uid", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("folder", name="pk_mailbox_state"),
    )

    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("submission_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_outbox_submission_id_submission", "submission", ["submission_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint("fk_outbox_submission_id_submission", type_="foreignkey")
        batch.drop_column("submission_id")
    op.drop_table("mailbox_state")
    op.drop_table("inbound")
    op.drop_table("submission")
