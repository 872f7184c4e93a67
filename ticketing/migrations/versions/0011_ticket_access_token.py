"""Each ticket's access token: the reporter's key to its status page and survey.

Tickets already stored get one here.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        batch.add_column(sa.Column("access_token", sa.String(32), nullable=True))
    connection = op.get_bind()
    ids = list(connection.execute(sa.text("SELECT id FROM ticket")).scalars())
    for ticket_id in ids:
        # As ticketing.conversation.new_access_token (a migration does not import the program).
        connection.execute(
            sa.text("UPDATE ticket SET access_token = :token WHERE id = :id"),
            {"token": secrets.token_urlsafe(16), "id": ticket_id},
        )
    with op.batch_alter_table("ticket") as batch:
        batch.alter_column("access_token", existing_type=sa.String(32), nullable=False)
        batch.create_unique_constraint("uq_ticket_access_token", ["access_token"])


def downgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        batch.drop_constraint("uq_ticket_access_token", type_="unique")
        batch.drop_column("access_token")
