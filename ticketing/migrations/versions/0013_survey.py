"""The satisfaction survey (IKM): each closed ticket's one invitation, and its reporter's
one response.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
ELEMENTS = range(1, 10)


def upgrade() -> None:
    op.create_table(
        "survey_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(), nullable=False),
        sa.Column("invited_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_survey_invitation"),
        sa.UniqueConstraint("ticket_id", name="uq_survey_invitation_ticket_id"),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name="fk_survey_invitation_ticket_id_ticket"
        ),
    )
    op.create_index("ix_survey_invitation_address", "survey_invitation", ["address", "invited_at"])
    op.create_table(
        "survey_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("answered_at", TS, nullable=False),
        *(sa.Column(f"u{i}", sa.Integer(), nullable=True) for i in ELEMENTS),
        sa.Column("saran", sa.Text(), nullable=False),
        sa.Column("sex", sa.String(1), nullable=True),
        sa.Column("age_band", sa.String(16), nullable=True),
        sa.Column("education", sa.String(16), nullable=True),
        sa.Column("occupation", sa.String(16), nullable=True),
        sa.Column("message_id", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_survey_response"),
        sa.UniqueConstraint("ticket_id", name="uq_survey_response_ticket_id"),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name="fk_survey_response_ticket_id_ticket"
        ),
        *(
            sa.CheckConstraint(f"u{i} BETWEEN 1 AND 4", name=f"ck_survey_response_score_u{i}")
            for i in ELEMENTS
        ),
    )
    op.create_index("ix_survey_response_answered_at", "survey_response", ["answered_at"])


def downgrade() -> None:
    op.drop_table("survey_response")
    op.drop_table("survey_invitation")
