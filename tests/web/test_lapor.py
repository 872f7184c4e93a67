"""/lapor: the public Formulir, checked by the same rule as e-mail and phone."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from tests.web.conftest import Desk, number_in, status_link_in


def tickets(desk: Desk) -> list:
    with desk.site.reader.transaction() as tx:
        return tx.tickets()


def test_form_shows_every_field_by_its_label(desk: Desk) -> None:
    """The form carries the Formulir's labels in <label for>, the register's agencies with
    "lainnya", the choices of Jenis Aduan, and the fields the help desk fills in."""
    page = desk.client.get("/lapor")
    assert page.status_code == 200
    html = page.text
    for key, label in [("agency", "Nama OPD"), ("division", "Bidang/UPT/Balai"),
                       ("reporter_name", "Nama Pelapor"), ("position", "Jabatan"),
                       ("phone", "Nomor Telepon / HandPhone"), ("email", "Alamat e-Mail"),
                       ("category", "Jenis Aduan"), ("description", "Isi Aduan")]:  # fmt: skip
        assert re.search(rf'<label for="f-{key}">{re.escape(label)}', html), label
    assert "<legend>Jenis Kelamin</legend>" in html and "Laki-laki" in html
    assert "<legend>Status Kepegawaian</legend>" in html and "Non PNS" in html
    assert '<option value="Dinas Kesehatan">' in html
    assert "Lainnya (tulis nama OPD)" in html
    assert '<option value="Sub Domain">' in html
    for fixed in ("Nomor Pengaduan", "Hari, Tanggal", "Tanda Tangan"):
        assert fixed in html
    assert '<meta name="viewport" content="width=device-width' in html


def test_missing_field_comes_back_beside_it_with_values_kept(desk: Desk) -> None:
    """A form without Jabatan is not registered: the message is beside that field and every
    other typed value is still in the form."""
    page = desk.submit(position=None, reporter_name="Siti <Aminah>")
    assert page.status_code == 422
    beside = r'<label for="f-position">Jabatan</label>\s*(<span class="help"[^>]*>[^<]*</span>\s*)?'
    assert re.search(beside + r'<span class="problem" id="p-position">Jabatan belum diisi.</span>',
                     page.text)  # fmt: skip
    assert 'value="Siti &lt;Aminah&gt;"' in page.text
    assert "Koneksi internet di ruang pelayanan terputus sejak pagi." in page.text
    assert '<option value="Dinas Kesehatan" selected>' in page.text
    assert 'value="L" checked' in page.text
    assert tickets(desk) == []


def test_invalid_value_is_named_by_the_formulir_rule(desk: Desk) -> None:
    """An invalid phone number gets the Formulir rule's own message."""
    page = desk.submit(phone="12")
    assert page.status_code == 422
    assert re.search(r'id="p-phone">Nomor Telepon / HandPhone tidak valid', page.text)
    assert tickets(desk) == []


def test_complete_form_registers_with_number_deadline_and_link(desk: Desk) -> None:
    """A complete form becomes a web ticket; the page gives its number, the next deadline
    and the status link, and the acknowledgement to the form's address has the same link."""
    page = desk.submit()
    assert page.status_code == 200
    number = number_in(page)
    assert "Senin, 30 November 2026 pukul 10.00 WIB" in page.text
    link = status_link_in(page)
    [ticket] = tickets(desk)
    assert (ticket.number, ticket.channel, ticket.state) == (number, "web", "received")
    assert link == f"http://127.0.0.1:8080/tiket/{number}?k={ticket.access_token}"
    with desk.site.reader.transaction() as tx:
        mails = {m.kind: m for m in tx.outbox(ticket=ticket)}
    # the acknowledgement to the typed address, and the help desk's copy to act on by reply
    assert sorted(mails) == ["help_desk.new_ticket", "reporter.acknowledged"]
    mail = mails["reporter.acknowledged"]
    assert mail.recipients == ["budi.santoso@dinkes.example.go.id"]
    from email import message_from_bytes
    from email.policy import default

    from notifier.outbox import email_bytes

    text = (
        message_from_bytes(email_bytes(mail, desk.site.office), policy=default)
        .get_body(("plain",))
        .get_content()
    )
    assert link in text
    assert "balas e-mail ini sekali" in text


def test_agency_typed_in_as_lainnya_is_kept_as_written(desk: Desk) -> None:
    """ "Lainnya" with a typed name registers that name, flagged as not in the register."""
    page = desk.submit(agency="__lainnya__", agency_other="UPTD Laboratorium Kesehatan Daerah")
    assert page.status_code == 200
    [ticket] = tickets(desk)
    assert ticket.agency == "UPTD Laboratorium Kesehatan Daerah"
    assert not desk.site.config.stored_agency(ticket.agency).registered


def test_lainnya_without_a_name_is_a_missing_agency(desk: Desk) -> None:
    page = desk.submit(agency="__lainnya__", agency_other="")
    assert page.status_code == 422
    assert 'id="p-agency">Nama OPD belum diisi.' in page.text


def test_attachment_is_archived_under_a_safe_name(desk: Desk) -> None:
    """The file is archived with the ticket; its name as sent never becomes a path."""
    files = {"lampiran": ("../../etc/passwd", b"screenshot bytes", "image/png")}
    page = desk.submit(files=files)
    assert page.status_code == 200
    [ticket] = tickets(desk)
    with desk.site.reader.transaction() as tx:
        [attachment] = tx.attachments(ticket)
    assert attachment.filename == "../../etc/passwd"
    assert ".." not in attachment.stored_path and attachment.stored_path.endswith("passwd")
    archive = desk.site.config.path(desk.site.config.paths.archive_dir)
    assert (archive / attachment.stored_path).read_bytes() == b"screenshot bytes"


def test_oversized_attachment_is_refused_with_values_kept(
    make_desk: Callable[..., Desk],
) -> None:
    """An attachment over the intake's limit comes back as the field's message, the typed
    values kept; nothing is registered."""
    desk = make_desk(intake="max_attachment_mb = 1")
    page = desk.submit(files={"lampiran": ("foto.jpg", b"x" * (1024 * 1024 + 1), "image/jpeg")})
    assert page.status_code == 422
    assert 'id="p-lampiran">Lampiran melebihi 1 MB.' in page.text
    assert 'value="Budi Santoso"' in page.text
    assert tickets(desk) == []


def test_body_past_the_cap_is_refused_by_its_length(make_desk: Callable[..., Desk]) -> None:
    """A body whose length is past the cap is refused with an Indonesian page at once."""
    desk = make_desk(intake="max_attachment_mb = 1")
    page = desk.submit(files={"lampiran": ("big.pdf", b"x" * (2 * 1024 * 1024), "application/pdf")})
    assert page.status_code == 413
    assert "Berkas terlalu besar" in page.text
    assert tickets(desk) == []


def test_body_past_the_cap_is_refused_while_it_streams(make_desk: Callable[..., Desk]) -> None:
    """A body sent without its length is counted as it streams in and cut at the cap."""
    desk = make_desk(intake="max_attachment_mb = 1")
    token = desk.token()

    def chunks() -> Iterator[bytes]:
        yield (
            f'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}'
            '\r\n--b\r\nContent-Disposition: form-data; name="lampiran"; '
            'filename="a.bin"\r\n\r\n'
        ).encode()
        for _ in range(40):
            yield b"x" * 65536

    page = desk.client.post(
        "/lapor", content=chunks(), headers={"content-type": "multipart/form-data; boundary=b"}
    )
    assert page.status_code == 413
    assert "Berkas terlalu besar" in page.text
    assert tickets(desk) == []


def test_double_submit_registers_once(desk: Desk) -> None:
    """The same form sent twice (a double click, a reload) is one ticket, shown twice."""
    first = desk.submit(form_id="same-form-id")
    second = desk.submit(form_id="same-form-id")
    assert number_in(first) == number_in(second)
    assert len(tickets(desk)) == 1


def test_the_21st_form_in_an_hour_is_refused(desk: Desk) -> None:
    """Twenty forms an hour from one address are taken; the 21st is refused in plain words
    and registers nothing; an hour later forms are taken again."""
    for _ in range(20):
        assert desk.submit().status_code == 200
    refused = desk.submit()
    assert refused.status_code == 429
    assert "terlalu banyak formulir" in refused.text
    assert len(tickets(desk)) == 20
    desk.at("2026-11-30T10:01:00+07:00")
    assert desk.submit().status_code == 200


def test_honeypot_filled_is_refused(desk: Desk) -> None:
    page = desk.submit(website="http://spam.example")
    assert page.status_code == 400
    assert "Formulir ini tidak dapat diterima." in page.text
    assert tickets(desk) == []
