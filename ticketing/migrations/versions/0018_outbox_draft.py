"""An outbox e-mail is queued as its draft (the data it is rendered from) and rendered
when it is sent; its bytes are stored from then on.

E-mails queued before keep the bytes they were queued with, and no draft.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("draft", sa.Text(), nullable=True))
        batch.alter_column("raw", existing_type=sa.LargeBinary(), nullable=True)


def downgrade() -> None:
    # An e-mail not yet rendered has no bytes to go back to (a migration does not import
    # the program that renders it): refused rather than lost.
    unrendered = op.get_bind().execute(sa.text("SELECT count(*) FROM outbox WHERE raw IS NULL"))
    if unrendered.scalar_one():
        raise RuntimeError(
            "the outbox holds e-mails not rendered yet: send them (helpdesk outbox send) "
            "before going back past 0018"
        )
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("raw", existing_type=sa.LargeBinary(), nullable=False)
        batch.drop_column("draft")
