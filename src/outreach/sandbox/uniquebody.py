"""A message's own part in its conversation (EWS UniqueBody, Graph uniqueBody), as Exchange
computes it: the body without the quoted earlier message and the header block above it.

Exchange's conversation engine knows the earlier messages of a conversation, so it needs
no list of mail clients or languages: it finds where the text of an earlier message
starts repeating inside this one, and cuts at the start of the quote's header block just
above (Outlook's ``From:``/``Von:``/``De :`` lines, the line of underscores or the
``<hr>`` over them, a one-line attribution ending in a colon such as "On … wrote:" or
"Le … a écrit :", or ``>`` quoting). A repeat with no such block above it is not a
quote (a time pasted from the request) and is kept. Nothing repeated: the whole body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape, unescape

from .mailbox import Item, Mailbox
from .xml import local

#: names and addresses of the senders of earlier messages, lower-case
Senders = tuple[str, ...]
NAMES = {"Name", "EmailAddress"}

#: Words in a row that must repeat an earlier message before it counts as quoted
#: (fewer when the earlier message is that short).
RUN = 12
#: An earlier message shorter than this many words cannot be told from a coincidence.
SHORTEST = 4

_WORD = re.compile(r"\w+")
_SEPARATOR = re.compile(r"^(?:_{5,}|-{5,}|={5,}|-{2,}[^-].*?-{2,})$")
#: a header line: a label of up to four words, a colon, a value ("From: …", "De : …")
_LABEL = re.compile(r"^\*?[^\W\d_][\w'.-]*(?:\s[\w'.-]+){0,3}\*?\s?:\s+\S")
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
#: mark of a line the HTML itself says starts a reply's quote (Outlook's appendonsend, <hr>)
_RULE = "\x00rule"
_APPENDONSEND = re.compile(r"id=[\"']?appendonsend", re.I)

_BREAKS = {"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr"}
_HIDDEN = {"style", "script", "head", "title"}
_TAG = re.compile(r"<(/?)([a-zA-Z][\w:-]*)([^>]*)>|<!--.*?-->|<![^>]*>", re.S)


@dataclass
class Line:
    """One line of a body as a reader sees it: its text, where it starts in the source,
    and whether it is quoted (``>`` or inside a blockquote, from ``quote_at``)."""

    text: str
    at: int
    quote_at: int | None = None

    @property
    def bare(self) -> str:
        """The text without quote marks and emphasis around it."""
        return self.text.lstrip("> \t\xa0").strip().strip("*").strip()

    @property
    def rule(self) -> bool:
        return self.text == _RULE or bool(_SEPARATOR.match(self.bare))


def text_lines(text: str) -> list[Line]:
    lines, at = [], 0
    for raw in text.split("\n"):
        quoted = raw.lstrip().startswith(">")
        lines.append(Line(raw.rstrip("\r"), at, at if quoted else None))
        at += len(raw) + 1
    return lines


def html_lines(html: str) -> list[Line]:
    """The lines an HTML body shows, each with the offset of the markup that starts it."""
    lines: list[Line] = []
    text, start, hidden, pos = "", 0, 0, 0
    quotes: list[int] = []  # offsets of the open blockquotes

    def end(at: int, keep_empty: bool = False) -> None:
        """End the line being read; the next starts at ``at``."""
        nonlocal text, start
        if text.strip() or keep_empty:
            clean = re.sub(r"\s+", " ", unescape(text).replace("\xa0", " ")).strip()
            lines.append(Line(clean, start, _outer(quotes)))
        text, start = "", at

    for m in _TAG.finditer(html):
        if not hidden:
            text += html[pos : m.start()]
        pos = m.end()
        closing, name = m.group(1), (m.group(2) or "").lower()
        if name in _HIDDEN:
            hidden = max(hidden + (-1 if closing else 1), 0)
        elif name == "blockquote":
            end(m.start())
            if closing and quotes:
                quotes.pop()
                start = m.end()
            elif not closing:
                quotes.append(m.start())
        elif name == "hr" or (not closing and _APPENDONSEND.search(m.group(3) or "")):
            end(m.end())
            lines.append(Line(_RULE, m.start(), _outer(quotes)))
        elif name in _BREAKS:
            end(m.end() if closing or name == "br" else m.start(), keep_empty=name == "br")
    if not hidden:
        text += html[pos:]
    end(len(html))
    return lines


def _outer(quotes: list[int]) -> int | None:
    return quotes[0] if quotes else None


def words(lines: list[Line]) -> list[tuple[str, int]]:
    """Every word of the lines, lower-case, with the index of its line."""
    return [
        (w.lower(), n)
        for n, line in enumerate(lines)
        if line.text != _RULE
        for w in _WORD.findall(line.text)
    ]


def _attribution(text: str, senders: Senders) -> bool:
    """A line like "On 1 Dec 2026, Robin <robin@example.com> wrote:": a colon at the end,
    and the earlier message's sender in it (when not known: a date or an address)."""
    return text.endswith(":") and _names(text, senders)


def _names(text: str, senders: Senders) -> bool:
    """True when ``text`` names one of the senders (without them: has a digit or an @)."""
    if not senders:
        return bool(re.search(r"\d|@", text))
    low = text.lower()
    return any(who in low for who in senders)


def _header(lines: list[Line], n: int, senders: Senders) -> bool:
    """True for a line that belongs to a quote's header block."""
    bare = lines[n].bare
    if lines[n].rule or _LABEL.match(bare) or _attribution(bare, senders):
        return True
    above = lines[n - 1].bare if n else ""
    below = lines[n + 1].bare if n + 1 < len(lines) else ""
    if bare.endswith(":"):  # the end of a wrapped attribution ("wrote:")
        return _opening(above, senders)
    if below.endswith(":"):  # the start of one
        return _opening(bare, senders)
    return bool(_LABEL.match(above) and (_ADDRESS.search(bare) or ";" in bare))  # To: wrapped


def _opening(text: str, senders: Senders) -> bool:
    """The first line of an attribution wrapped in two: the sender (or a date or an
    address) in it, no full stop at its end."""
    if not text or re.search(r"[.!?]$", text):
        return False
    if senders:
        return _names(text, senders)
    return bool(_ADDRESS.search(text) or text.endswith("<") or _YEAR.search(text))


def _signed(lines: list[Line], n: int, senders: Senders) -> bool:
    """True when line ``n`` ends an attribution, on one line or wrapped in two."""
    bare = lines[n].bare
    if _attribution(bare, senders):
        return True
    return bare.endswith(":") and n > 0 and _opening(lines[n - 1].bare, senders)


def _blank(line: Line) -> bool:
    return not line.bare


def quote_start(lines: list[Line], first: int, senders: Senders = ()) -> int | None:
    """The line a quote starts on, given the first line that repeats an earlier message:
    the top of the header block above it, else the top of its ``>`` run; None when
    neither is there (a repeat that is no quote). Over ``>`` quoting the block must end
    in an attribution (a colon): Outlook's labelled block never comes with ``>``."""
    n = first - 1
    while n >= 0 and _blank(lines[n]):
        n -= 1
    top = None
    marked = lines[first].quote_at is not None
    if not marked or (n >= 0 and _signed(lines, n, senders)):
        while n >= 0 and not _blank(lines[n]) and _header(lines, n, senders):
            top = n
            if lines[n].rule and not (n and lines[n - 1].rule):
                break  # the line over the header is its top
            n -= 1
    if top is not None:
        return top
    if marked:
        n = first
        while n > 0 and lines[n - 1].quote_at is not None:
            n -= 1
        return n
    return None


def cut_line(
    lines: list[Line], earlier: list[list[str]], senders: Senders = ()
) -> tuple[int, int] | None:
    """Where the quote of an earlier message starts (its header block's first line) and
    the first line that repeats the earlier message; None when nothing is quoted."""
    mine = words(lines)
    earlier = [theirs for theirs in earlier if len(theirs) >= SHORTEST]
    if not earlier:
        return None
    size = min(RUN, *(len(theirs) for theirs in earlier))
    grams = {
        tuple(theirs[i : i + size]) for theirs in earlier for i in range(len(theirs) - size + 1)
    }
    tried: set[int] = set()
    for i in range(len(mine) - size + 1):
        line = mine[i][1]
        if line in tried or tuple(w for w, _ in mine[i : i + size]) not in grams:
            continue
        tried.add(line)
        found = quote_start(lines, line, senders)
        if found is not None:
            return found, line
    return None


def _close(html: str) -> str:
    """The closing tags of the elements still open at the end of ``html``."""
    stack: list[str] = []
    for m in _TAG.finditer(html):
        name = (m.group(2) or "").lower()
        if not name or name in _VOID or (m.group(3) or "").rstrip().endswith("/"):
            continue
        if m.group(1):
            if name in stack:
                del stack[len(stack) - 1 - stack[::-1].index(name) :]
        else:
            stack.append(name)
    return "".join(f"</{name}>" for name in reversed(stack))


def lines_of(content: str, html: bool) -> list[Line]:
    return html_lines(content) if html else text_lines(content)


def as_text(content: str, html: bool) -> str:
    """A body's text as a reader sees it (HTML: one line per line break)."""
    if not html:
        return content
    shown = html_lines(content)
    return "\n".join("" if line.text == _RULE else line.text for line in shown)


def unique(
    content: str, html: bool, earlier: list[tuple[str, bool]], senders: Senders = ()
) -> str:
    """The part of a body (HTML or text) that repeats none of the earlier messages
    (each given as its body and whether it is HTML): cut where a quote of one begins.
    ``senders``: the earlier messages' senders (names, addresses), whom an attribution
    line names."""
    lines = lines_of(content, html)
    theirs = [[w for w, _ in words(lines_of(body, is_html))] for body, is_html in earlier]
    found = cut_line(lines, theirs, tuple(who.lower() for who in senders if who))
    if found is None:
        return content
    n, first = found
    head = content[: lines[n].at]
    if html:
        return head + _close(head)
    return "\n".join([head.rstrip(), *_below(lines, first)]).strip("\n") + "\n"


def _below(lines: list[Line], first: int) -> list[str]:
    """What a writer put below or between ``>`` quoted lines (bottom posting, inline
    answers): the unquoted lines after the quote began. Nothing below a quote that is not
    marked, which runs to the end."""
    if lines[first].quote_at is None:
        return []
    return [line.text for line in lines[first + 1 :] if line.quote_at is None and line.bare]


def convert(content: str, html: bool, want_html: bool) -> str:
    """The unique part in the body type asked for (Exchange converts as it does the body)."""
    if html == want_html:
        return content
    if html:
        return as_text(content, True).strip() + "\n"
    return "<html><body>" + escape(content).replace("\n", "<br>") + "</body></html>"


def earlier_in_conversation(box: Mailbox, item: Item) -> tuple[list[tuple[str, bool]], Senders]:
    """The bodies of the messages of this item's conversation made before it, and the
    names and addresses of their senders."""
    conv = item.get("ConversationId")
    key = conv.get("Id") if conv is not None else None
    if not key:
        return [], ()
    found, senders = [], set()
    for other in box.items.values():
        if other is item or other.created > item.created or other.kind == "CalendarItem":
            continue
        if key not in (other.fields.get("ConversationId") or [""])[0]:
            continue
        body = other.get("Body")
        if body is not None and body.text:
            found.append((body.text, body.get("BodyType") == "HTML"))
            sender = other.get("From")
            sender = sender if sender is not None else other.get("Sender")
            if sender is not None:
                senders.update(n.text or "" for n in sender.iter() if local(n) in NAMES)
    return found, tuple(senders)


def of_item(box: Mailbox, item: Item) -> tuple[str, bool] | None:
    """An item's unique body and whether it is HTML; None for an item without a body."""
    body = item.get("Body")
    if body is None:
        return None
    html = body.get("BodyType") == "HTML"
    return unique(body.text or "", html, *earlier_in_conversation(box, item)), html
