"""Migration 0010 on tickets that exist already: which form addresses count as confirmed."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from ticketing import migrate
from ticketing.db import make_engine

ROW = (
    "INSERT INTO ticket (number, year, seq, channel, state, received_at, agency, division, "
    "reporter_name, position, phone, email, sex, employment_status, category, description, "
    "signature, created_at, step_started_at) VALUES (:number, 2026, :seq, :channel, "
    "'received', '2026-11-30 02:00:00', 'Dinkes', 'Umum', 'Budi', 'Staf', '+62812', :email, "
    "'L', 'PNS', 'internet', 'Mati.', :signature, '2026-11-30 02:00:00', "
    "'2026-11-30 02:00:00')"
)


def test_existing_tickets_keep_mail_only_to_addresses_that_showed_themselves(
    tmp_path: Path,
) -> None:
    """After the upgrade, a phone or letter ticket's address and an e-mailed form's own
    sender address are confirmed; another address named on an e-mailed form is not; and
    the migration can be undone."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine, "0008")
    rows = [
        ("TIK-2026-00001", "phone", "Budi@Dinkes.go.id", "sari"),
        ("TIK-2026-00002", "letter", "siti@bpkad.go.id", "yoga"),
        ("TIK-2026-00003", "email", "Budi@dinkes.go.id", "budi@dinkes.go.id"),
        ("TIK-2026-00004", "email", "korban@example.org", "asing@luar.example.org"),
    ]
    with engine.begin() as conn:
        for seq, (number, channel, address, signature) in enumerate(rows, start=1):
            conn.execute(text(ROW), {"number": number, "seq": seq, "channel": channel,
                                     "email": address, "signature": signature})  # fmt: skip
    migrate.upgrade(engine)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT number, email_confirmed FROM ticket ORDER BY id"))
        assert list(found) == [
            ("TIK-2026-00001", "budi@dinkes.go.id"),
            ("TIK-2026-00002", "siti@bpkad.go.id"),
            ("TIK-2026-00003", "budi@dinkes.go.id"),
            ("TIK-2026-00004", None),
        ]
    migrate.downgrade(engine, "0008")
    with engine.connect() as conn:
        columns = {r[1] for r in conn.execute(text("PRAGMA table_info(ticket)"))}
    assert "email_confirmed" not in columns and "email" in columns
