"""Bounce tokens: each e-mail's own token (for its VERP envelope sender and its
X-Helpdesk-Ref header), and one record per verified delivery failure.

E-mails still waiting to be sent get a token here, so that they go out with it; those
already sent have none, and a report about one of them cannot be verified.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
# As ticketing.conversation.new_bounce_token (a migration does not import the program).
_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


def _token() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(16))


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("bounce_token", sa.String(32), nullable=True))
    op.create_index("ix_outbox_bounce_token", "outbox", ["bounce_token"], unique=True)
    connection = op.get_bind()
    waiting = connection.execute(
        sa.text("SELECT id FROM outbox WHERE status IN ('pending', 'sending')")
    ).scalars()
    for email_id in list(waiting):
        connection.execute(
            sa.text("UPDATE outbox SET bounce_token = :token WHERE id = :id"),
            {"token": _token(), "id": email_id},
        )

    op.create_table(
        "bounce",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(), nullable=False),
        sa.Column("status", sa.String(16), nullable=True),
        sa.Column("action", sa.String(16), nullable=True),
        sa.Column("remote_text", sa.Text(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("alerted", sa.Boolean(), nullable=False),
        sa.Column("first_at", TS, nullable=False),
        sa.Column("last_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_bounce"),
        sa.UniqueConstraint("outbox_id", "recipient", name="uq_bounce_outbox_recipient"),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"], name="fk_bounce_outbox_id_outbox"),
    )


def downgrade() -> None:
    op.drop_table("bounce")
    op.drop_index("ix_outbox_bounce_token", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("bounce_token")
