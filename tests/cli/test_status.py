"""`helpdesk status`: at a glance, and an exit code monitoring can use."""

from __future__ import annotations

import json

from tests.cli.conftest import Cli, form_args


def test_status_counts_tickets_per_step_and_overdue(ready: Cli) -> None:
    """Tickets are counted per state, overdue ones named; without checks it is healthy."""
    ready("phone", *form_args(), "--by", "sari")
    result = ready("status", "--json", "--no-check-mailbox", now="2026-11-30T13:00:00+07:00")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["tickets"]["first_level"] == 1
    assert report["overdue"] == ["TIK-2026-00001"]
    assert report["healthy"] is True


def test_unreachable_mailbox_needs_attention(ready: Cli, site_dir) -> None:  # type: ignore[no-untyped-def]
    """A mailbox nobody answers on makes status exit 1 and say why."""
    from helpdesk.testing.loopback import free_port
    from tests.conftest import use_mailbox

    use_mailbox(site_dir, free_port())
    result = ready("status", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["healthy"] is False
    assert report["problems"][0].startswith("mailbox unreachable")
