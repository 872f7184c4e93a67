"""docs/emails/: the demo's e-mails for review, as the templates render them today."""

from __future__ import annotations

from pathlib import Path

from tests.review_emails import DOCS, README, rendered

# The e-mails of the SOP's steps that a reviewer reads (SOP: every step informs someone).
SOP_EMAILS = {
    "reporter.acknowledged", "reporter.incomplete", "reporter.first_level_solution",
    "unit_head.escalated", "technician.disposed", "official.escalated_higher",
    "reporter.paused", "reporter.final_report", "reporter.closed", "staff.reopened",
    "staff.reminder", "staff.breach", "reporter.confirmation_reminder", "help_desk.digest",
    "help_desk.new_ticket", "reporter.escalated", "reporter.reopened",
}  # fmt: skip
# The same kinds as the head of office reads them: worded for her, reported to.
TO_HEAD_OF_OFFICE = {"help_desk.digest", "official.escalated_higher", "staff.breach"}


def test_the_review_copies_are_the_templates_as_rendered_today(tmp_path: Path) -> None:
    """Each file of docs/emails/ is what the demo's story sends today, one per kind of
    e-mail, every SOP step's among them; a template changed without re-rendering fails
    here, naming the file and the command that brings it up to date."""
    files = rendered(tmp_path)
    assert {name.removesuffix(".txt") for name in files if name != README} == SOP_EMAILS | {
        f"{kind}.head_of_office" for kind in TO_HEAD_OF_OFFICE
    }
    kept = {p.name for p in DOCS.iterdir()} if DOCS.is_dir() else set()
    assert kept == set(files), "docs/emails/ is stale: run scripts/render-emails"
    for name, text in files.items():
        assert (DOCS / name).read_text(encoding="utf-8") == text, (
            f"docs/emails/{name} is stale: run scripts/render-emails"
        )
    acknowledged = files["reporter.acknowledged.txt"]
    assert acknowledged.startswith("To: Ahmad Fauzi <ahmad.fauzi@dishub.example.go.id>\n")
    assert "Yth. Bapak Ahmad Fauzi," in acknowledged
    digest = files["help_desk.digest.head_of_office.txt"]
    assert digest.startswith("To: Ratna Sari Dewi <kepala.dinas@example.go.id>\n")
    assert "Yth. Ibu Kepala Dinas Komunikasi" in digest and "gagal diproses" not in digest
