"""The plainest HTML is read without html.parser, and reads the same.

`intake.html` tokenizes documents of the plainest kind itself; for every such document
html.parser must make the same handler calls, so that the text of an HTML mail is the
same whichever reads it."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake import html
from intake.html import _Converter, _plain_tokens, html_to_text


class _Recorder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.calls: list[tuple[int, str, object]] = []

    def handle_data(self, data: str) -> None:
        self.calls.append((0, data, None))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.calls.append((1, tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.calls.append((2, tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        self.calls.append((3, tag, None))


def _by_html_parser(markup: str) -> list[tuple[int, str, object]]:
    recorder = _Recorder()
    recorder.feed(markup)
    recorder.close()
    return recorder.calls


def _text_by_html_parser(markup: str) -> str:
    converter = _Converter()
    try:
        converter.feed(markup)
        converter.close()
    except Exception:
        pass
    return converter.text()


FORM = (
    "<html><head><style>td{font-family:Calibri} p > b {x:1}</style></head><body>"
    "<p>Yth. Help Desk Layanan TIK,</p><p>Dengan hormat &amp; salam:</p><table border=1>"
    '<tr><td style="width:40%"><b>Nama OPD</b></td><td>:</td><td>Dinkes</td></tr>'
    "<tr><td style='width:40%'><b>Isi Aduan</b></td><td>:</td><td>Internet &gt; mati&nbsp;"
    "sejak pagi</td></tr></table><p class=MsoNormal>Terima kasih.<o:p></o:p></p>"
    '<div class="signature">-- <br>Dikirim dari Outlook<br/><BR /></div>'
    '<blockquote type="cite" data-x="a&amp;b" hidden>kutipan</blockquote></body></HTML>\n'
)

PLAIN = [
    FORM,
    "",
    "just text, no tags &amp; an entity &#65; &notanentity",
    "text ending in a reference cut &am",
    "<p>a</p >",
    "<script>if (a < b) { x('</p>') }</SCRIPT ><p>after</p>",
    "<style/><p>x</p>",
    '<td a = "1" b= 2 c =\'3\' d e="">x</td>',
    "<ul><li>one<li>two</ul>",
    "<pre>  keep\n  spaces </pre>",
    "a > b",
]

NOT_PLAIN = [
    "<!-- a comment --><p>x</p>",
    "<!DOCTYPE html><p>x</p>",
    "<?xml version='1.0'?><p>x</p>",
    "1 < 2",
    "<p>x</p><",
    "<br clear=all/>",
    '<td a="1"b="2">',
    "<p\u00a0class=x>",
    "<td width=40\u00a0x>",
    "<a href=x/y>",
    "</p\x0b>",
    "<script>never closed",
    "<p title='a>b'>",
    # a long s is "s" to a search ignoring case, not to html.parser's end tag: the script
    # and the style go on after these
    "<script>x</\u017fcript><p>shown?</p></script>after",
    "<style>p{}</\u017ftyle>shown?</style>after",
    "<style>p{}</style\xa0>after",
]


def test_the_plainest_documents_give_html_parsers_calls() -> None:
    for markup in PLAIN:
        assert _plain_tokens(markup) == _by_html_parser(markup), markup
        assert html_to_text(markup) == _text_by_html_parser(markup), markup


def test_a_form_table_reads_as_label_and_value_lines() -> None:
    text = html_to_text(FORM)
    assert "Nama OPD: Dinkes" in text
    assert "Isi Aduan: Internet > mati sejak pagi" in text
    assert "> kutipan" in text


def test_anything_else_goes_to_html_parser() -> None:
    for markup in NOT_PLAIN:
        assert _plain_tokens(markup) is None, markup
        assert html_to_text(markup) == _text_by_html_parser(markup), markup


_PIECES = st.sampled_from(
    [
        "<p>", "</p>", "<P class=MsoNormal>", "<br>", "<br/>", "<br />", "<td>", "</td>",
        "<tr>", "</tr>", "<table border=1>", "</table>", "<li>", "<ul>", "</ul>", "<pre>",
        "</pre>", '<blockquote type="cite">', "</blockquote>", "<style>", "</style>",
        "<script>", "</script >", "<b>", "</B>", "<div a='x&amp;y' b>", "</div>", "<o:p>",
        "</o:p>", "<!-- c -->", "<", ">", "&", "&amp;", "&nbsp;", "&#x41;", "&#65", " ", "\n",
        "\t", "\xa0", ":", "Nama", "Budi", "\u200b", "=", '"', "'", "/", "<td a=1/>", "<a b=c>",
        "<x y = 'z'>", "</ p>", "<p\x0c>", "\r\n", "</\u017fcript>", "</\u017ftyle>",
        "</script\xa0>", "</STYLE\t>", "&#0;", "&#x110000;", "\x00", "<p a=b\x00>",
    ]
)  # fmt: skip


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_PIECES, st.text(max_size=4)), max_size=40).map("".join))
def test_any_document_reads_as_html_parser_reads_it(markup: str) -> None:
    tokens = _plain_tokens(markup)
    if tokens is not None:
        assert tokens == _by_html_parser(markup)
    assert html_to_text(markup) == _text_by_html_parser(markup)


def test_the_cut_is_the_same_on_both_ways() -> None:
    long = "<p>" + "x" * (html.MAX_HTML_CHARS + 10) + "</p>"
    assert html_to_text(long) == _text_by_html_parser(long[: html.MAX_HTML_CHARS])
