"""The form's e-mail address once it is confirmed: e-mails to the reporter go only to
confirmed addresses (and to the one an e-mailed complaint came from).

Existing tickets: an address taken down by an officer (phone, letter) and the address an
e-mailed complaint came from count as confirmed; another address named on an e-mailed
form does not, until it answers or the help desk confirms it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ticket", sa.Column("email_confirmed", sa.String(), nullable=True))
    op.execute(
        "UPDATE ticket SET email_confirmed = lower(trim(email)) "
        "WHERE channel IN ('phone', 'letter') "
        "OR (channel = 'email' AND lower(trim(email)) = lower(trim(signature)))"
    )


def downgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        batch.drop_column("email_confirmed")
