"""Tickets, their immutable events, attachments and the yearly counter.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ticket",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("agency", sa.String(), nullable=False),
        sa.Column("division", sa.String(), nullable=False),
        sa.Column("reporter_name", sa.String(), nullable=False),
        sa.Column("position", sa.String(), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("sex", sa.String(1), nullable=False),
        sa.Column("employment_status", sa.String(16), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=True),
        sa.Column("unit", sa.String(), nullable=True),
        sa.Column("assignee", sa.String(), nullable=True),
        sa.Column("technician", sa.String(), nullable=True),
        sa.Column("solution", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("step_started_at", TS, nullable=False),
        sa.Column("due_at", TS, nullable=True),
        sa.Column("paused_at", TS, nullable=True),
        sa.Column("remaining_minutes", sa.Integer(), nullable=True),
        sa.Column("resolved_at", TS, nullable=True),
        sa.Column("closed_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_ticket"),
        sa.UniqueConstraint("number", name="uq_ticket_number"),
        sa.UniqueConstraint("year", "seq", name="uq_ticket_year_seq"),
    )
    op.create_index("ix_ticket_state", "ticket", ["state"])
    op.create_index("ix_ticket_due_at", "ticket", ["due_at"])

    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("from_state", sa.String(32), nullable=True),
        sa.Column("to_state", sa.String(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_event"),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"], name="fk_event_ticket_id_ticket"),
    )
    op.create_index("ix_event_ticket_id", "event", ["ticket_id", "id"])

    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(), nullable=False),
        sa.Column("stored_path", sa.String(), nullable=False),
        sa.Column("content_type", sa.String(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_attachment"),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name="fk_attachment_ticket_id_ticket"
        ),
    )
    op.create_index("ix_attachment_ticket_id", "attachment", ["ticket_id"])

    op.create_table(
        "counter",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", "year", name="pk_counter"),
    )

    # Events are the record of what happened: the database refuses to change them.
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER event_immutable_{verb.lower()} BEFORE {verb} ON event "
                "BEGIN SELECT RAISE(ABORT, 'events are immutable'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION event_immutable() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'events are immutable'; END $$"
        )
        op.execute(
            "CREATE TRIGGER event_immutable BEFORE UPDATE OR DELETE ON event "
            "FOR EACH ROW EXECUTE FUNCTION event_immutable()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS event_immutable_update")
        op.execute("DROP TRIGGER IF EXISTS event_immutable_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS event_immutable ON event")
        op.execute("DROP FUNCTION IF EXISTS event_immutable()")
    op.drop_table("counter")
    op.drop_table("attachment")
    op.drop_table("event")
    op.drop_table("ticket")
