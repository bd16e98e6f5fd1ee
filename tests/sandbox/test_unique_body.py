"""UniqueBody (EWS) and uniqueBody (Graph): a reply without the quoted request and the
header block above it, whatever client and language wrote the quote; checked against
the schemas like every other answer of the sandbox."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest
from exchangelib import HTMLBody, Mailbox, Message
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from outreach.sandbox import quoting, uniquebody

PRIYA = "priya.castellan@example.com"
M = "http://schemas.microsoft.com/exchange/services/2006/messages"
T = "http://schemas.microsoft.com/exchange/services/2006/types"
REQUEST = (
    "<html><body><p>Hello Priya,</p><p>I am exploring data platforms and would value 20"
    " minutes of your time to hear how your work looks from the inside.</p>"
    "<p>Would one of these times suit you?</p><ul><li>Tuesday 8 December, 10:00 to 10:30</li>"
    "<li>Wednesday 9 December, 14:00 to 14:30</li><li>Thursday 10 December, 09:00 to 09:30"
    "</li></ul><p>A short phone call would also be fine.</p><p>Best regards,<br>Robin Vale</p>"
    "</body></html>"
)
ANSWER = "Thursday works for me.\n\nPriya"
ORIGINAL = quoting.Original(
    sender="robin.vale@example.com",
    sender_name="Robin Vale",
    to=PRIYA,
    to_name="Priya Castellan",
    subject="A 20-minute conversation about data platforms",
    sent=datetime(2026, 12, 1, 9, 0),
    text=uniquebody.as_text(REQUEST, True),
)
TABLES = {
    "outlook": quoting.OUTLOOK,
    "outlook-original": quoting.OUTLOOK,
    "outlook-html": quoting.OUTLOOK,
    "outlook-norule": quoting.OUTLOOK,
    "outlook-desktop-html": quoting.OUTLOOK,
    "gmail": quoting.GMAIL,
    "gmail-html": quoting.GMAIL,
    "apple": quoting.APPLE,
    "iphone": quoting.APPLE,
    "thunderbird": quoting.THUNDERBIRD,
    "bare": {"en": None},
}
WAYS = [(client, language) for client in quoting.CLIENTS for language in TABLES[client]]
#: whom the attribution lines name: the sender of the request, as Exchange knows it
SENDERS = ("Robin Vale", "robin.vale@example.com")


def shown(content: str, html: bool) -> str:
    return uniquebody.as_text(content, html).strip()


@pytest.mark.parametrize(("client", "language"), WAYS)
def test_every_client_and_language_is_cut_at_its_quote(client: str, language: str) -> None:
    body, html = quoting.quoted(ANSWER, ORIGINAL, client, language)
    own = shown(uniquebody.unique(body, html, [(REQUEST, True)], SENDERS), html)
    assert shown(uniquebody.unique(body, html, [(REQUEST, True)]), html) == own  # unknown
    signature = "\n\nSent from my iPhone" if client == "iphone" else ""
    assert own == ANSWER + signature
    assert "Wednesday 9 December" in shown(body, html)  # the quote was there


_WORDS = st.sampled_from([
    "Thursday", "works", "for", "me", "at", "10:00", "the", "second", "one", "please",
    "fine", "thanks", "Von:", "From:", "De", ":", "Phone:", "+49", "30", "1234", "—",
    "can't", "make", "it?", "9", "December", "wrote:", "ok", "Dienstag", "14:00", ">",
])  # fmt: skip
_ANSWER_LINE = st.lists(_WORDS, min_size=1, max_size=9).map(" ".join) | st.just("")


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(_ANSWER_LINE, min_size=1, max_size=6).filter(lambda ls: any(ls)),
    way=st.sampled_from(WAYS),
)
def test_whatever_the_answer_says_its_own_part_is_all_of_it(
    lines: list[str], way: tuple[str, str]
) -> None:
    """Words of a header (From:, a time, a colon at the end) in the answer are not a quote:
    the cut is at the quote, and the answer comes back whole."""
    answer = "\n".join(lines).strip("\n")
    body, html = quoting.quoted(answer, ORIGINAL, *way)
    own = shown(uniquebody.unique(body, html, [(REQUEST, True)], SENDERS), html)
    signature = "\n\nSent from my iPhone" if way[0] == "iphone" else ""
    assert own == answer.strip() + signature


def test_nothing_repeated_is_the_whole_body_and_a_pasted_time_is_no_quote() -> None:
    earlier = [(REQUEST, True)]
    header_only = "Thanks!\n\nVon: someone\nBetreff: other\n\nA different text altogether here."
    assert uniquebody.unique(header_only, False, earlier) == header_only
    pasted = "I'll take\nWednesday 9 December, 14:00 to 14:30\nTuesday 8 December, 10:00 to 10:30"
    assert uniquebody.unique(pasted, False, earlier) == pasted
    assert uniquebody.unique(ANSWER, False, []) == ANSWER
    assert uniquebody.unique(ANSWER, False, [("Hi", False)]) == ANSWER  # too short to tell


def test_a_signature_above_the_header_block_is_kept() -> None:
    body, _ = quoting.quoted(ANSWER + "\nPhone: +49 30 1234", ORIGINAL, "outlook", "de")
    assert uniquebody.unique(body, False, [(REQUEST, True)]).strip().endswith("Phone: +49 30 1234")


def test_the_html_cut_is_balanced_markup() -> None:
    body, html = quoting.quoted(ANSWER, ORIGINAL, "outlook-html", "de")
    own = uniquebody.unique(body, html, [(REQUEST, True)])
    assert "divRplyFwdMsg" not in own and "<hr" not in own and "appendonsend" not in own
    assert own.endswith("</div></body></html>") and own.count("<div") == own.count("</div>")


def _send_request(account) -> None:
    Message(
        account=account,
        subject="A 20-minute conversation about data platforms",
        body=HTMLBody(REQUEST),
        to_recipients=[Mailbox(email_address=PRIYA)],
    ).send_and_save()


def _sent_and_answered(account, sandbox, client: str, language: str) -> str:
    _send_request(account)
    return sandbox.controls.reply(
        subject="data platforms", body=ANSWER, quoting=client, language=language
    )


@pytest.mark.parametrize(("client", "language"), [("outlook", "de"), ("outlook-html", "fr")])
def test_ews_get_item_and_sync_return_unique_body_only_when_asked(
    account, sandbox, client: str, language: str
) -> None:
    reply_id = _sent_and_answered(account, sandbox, client, language)
    [reply] = account.fetch(ids=[(reply_id, None)], only_fields=["unique_body", "body"])
    html = client.endswith("html")
    assert isinstance(reply.unique_body, HTMLBody) == html
    assert shown(reply.unique_body, html) == ANSWER
    assert "Wednesday 9 December" in shown(reply.body, html)
    synced = [i for _, i in account.inbox.sync_items(only_fields=["unique_body", "subject"])]
    assert [shown(i.unique_body, html) for i in synced] == [ANSWER]
    ids = f'<m:ItemIds><t:ItemId Id="{reply_id}"/></m:ItemIds>'
    for body_type in ("Text", "HTML"):
        got = _soap(sandbox, "GetItem", body_type, ids)
        assert got is not None and got.get("BodyType") == body_type
        assert shown(got.text or "", body_type == "HTML") == ANSWER
    inbox = '<m:ParentFolderIds><t:DistinguishedFolderId Id="inbox"/></m:ParentFolderIds>'
    assert _soap(sandbox, "FindItem", "Best", inbox, ' Traversal="Shallow"') is None


def _soap(sandbox, operation: str, body_type: str, ids: str, attrs: str = ""):
    """``operation`` over SOAP asking for UniqueBody as ``body_type``: the first
    t:UniqueBody of the answer, or None."""
    envelope = (
        '<?xml version="1.0" encoding="utf-8"?><s:Envelope '
        'xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:m="{M}" xmlns:t="{T}"><s:Header><t:RequestServerVersion Version="Exchange2016"/>'
        f"</s:Header><s:Body><m:{operation}{attrs}><m:ItemShape>"
        f"<t:BaseShape>IdOnly</t:BaseShape><t:BodyType>{body_type}</t:BodyType>"
        '<t:AdditionalProperties><t:FieldURI FieldURI="item:UniqueBody"/>'
        f"</t:AdditionalProperties></m:ItemShape>{ids}</m:{operation}></s:Body></s:Envelope>"
    )
    answer = httpx.post(
        sandbox.url,
        content=envelope.encode(),
        headers={"Content-Type": "text/xml; charset=utf-8"},
        auth=("user", "pw"),
    )
    assert answer.status_code == 200 and b"NoError" in answer.content, answer.text
    return etree.fromstring(answer.content).find(f".//{{{T}}}UniqueBody")


@pytest.mark.parametrize("prefer", [None, "text", "html"])
def test_graph_selects_unique_body_in_the_content_type_asked(
    account, sandbox, graph, prefer: str | None
) -> None:
    _sent_and_answered(account, sandbox, "gmail-html", "de")
    headers = {"Prefer": f'outlook.body-content-type="{prefer}"'} if prefer else {}
    page = graph.get(
        "/me/mailFolders/inbox/messages/delta",
        params={"$select": "subject,body,uniqueBody"},
        headers=headers,
    ).json()
    [message] = page["value"]
    kind = prefer or "html"
    assert message["uniqueBody"]["contentType"] == message["body"]["contentType"] == kind
    assert shown(message["uniqueBody"]["content"], kind == "html") == ANSWER
    assert "Wednesday 9 December" in shown(message["body"]["content"], kind == "html")
    plain = graph.get(f"/me/messages/{message['id']}", params={"$select": "subject"}).json()
    assert "uniqueBody" not in plain  # only when $select names it


def test_a_reply_written_in_html_by_hand_is_cut_too(account, sandbox) -> None:
    body, _ = quoting.quoted(ANSWER, ORIGINAL, "gmail-html", "fr")
    _send_request(account)
    reply_id = sandbox.controls.reply(subject="data platforms", body=body, html=True)
    [reply] = account.fetch(ids=[(reply_id, None)], only_fields=["unique_body", "body"])
    assert isinstance(reply.body, HTMLBody) and shown(reply.unique_body, True) == ANSWER


def test_an_answer_below_or_between_quoted_lines_is_kept() -> None:
    quoted = [f"> {line}".rstrip() for line in ORIGINAL.text.strip().split("\n")]
    bottom = "\n".join(["On Tue, 1 Dec 2026, Robin Vale wrote:", *quoted, "", ANSWER])
    own = uniquebody.unique(bottom, False, [(REQUEST, True)], SENDERS)
    assert own == "Thursday works for me.\nPriya\n"
    inline = "\n".join([*quoted[:6], "", "Thursday works for me.", "", *quoted[6:]])
    own = uniquebody.unique(inline, False, [(REQUEST, True)], SENDERS)
    assert own == "Thursday works for me.\n"
