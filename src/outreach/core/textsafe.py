"""Text that reaches a header, a log line, a table, a spreadsheet or a Markdown file.

One place for the small rules that keep text from other people in its place: a
one-line field (a name, a title, a subject) never holds a line break or another
control character; a log line quotes what it repeats; a CSV cell never starts
like a formula; Markdown shows text, never runs it as markup. Pure functions,
no I/O.
"""

from __future__ import annotations

import re
import unicodedata

#: Bidirectional overrides and isolates: they reorder what a reader sees (RTLO tricks).
BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
#: What a spreadsheet reads as the start of a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_SPACES = re.compile(r"\s+")


def is_control(char: str) -> bool:
    """True for a character that must not stand in one-line text (C0, C1, DEL, separators, bidi)."""
    return unicodedata.category(char) in ("Cc", "Zl", "Zp") or char in BIDI or char == "\ufeff"


def problem(text: str) -> str | None:
    """Return why ``text`` cannot be a one-line field ("a line break", ...), or None if fine."""
    for char in text:
        if char in "\r\n\u2028\u2029\x85\x0b\x0c":
            return "a line break"
        if char == "\x00":
            return "a NUL byte"
        if char in BIDI:
            return "a text-direction control character"
        if is_control(char) and char != "\t":
            return f"a control character (U+{ord(char):04X})"
    return None


def one_line(text: str) -> str:
    """Return ``text`` as one line: line breaks and tabs become spaces, other control
    characters (NUL, escapes, bidi overrides) go, runs of space become one space.

    For values that come from files and directories, where refusing would lose the
    row: "Ann\\nBcc: x" becomes "Ann Bcc: x", visibly one field.
    """
    cleaned = "".join(" " if c.isspace() else "" if is_control(c) else c for c in text)
    return _SPACES.sub(" ", cleaned).strip()


def lines(text: str) -> str:
    """Return many-line text (notes, an address) with line breaks kept as \\n and every other
    control character (NUL, escapes, bidi overrides) dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c in "\n\t" or not is_control(c)).strip()


def checked(text: str, where: str) -> str:
    """Return ``text`` stripped if it is one line; raise ValueError naming ``where`` if not.

    For what the person types (a CLI option, a form field): say what is wrong
    rather than change it behind their back.
    """
    why = problem(text)
    if why is not None:
        raise ValueError(f"{where} must be one line of text, but it holds {why}.")
    return text.strip()


def for_log(text: str) -> str:
    """Return ``text`` safe inside one log line: control characters escaped as \\n, \\x1b...."""
    out = []
    for char in text:
        if char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif is_control(char):
            out.append(f"\\u{ord(char):04x}" if ord(char) > 0xFF else f"\\x{ord(char):02x}")
        else:
            out.append(char)
    return "".join(out)


def csv_cell(value: str) -> str:
    """Return a CSV cell a spreadsheet shows as text: a leading = + - @ tab or CR gets a '."""
    if value.startswith(FORMULA_START):
        return "'" + value
    return value


_MARKDOWN = re.compile(r"([\\`*_\[\]|~])")


def markdown(text: str) -> str:
    """Return ``text`` as literal Markdown: markup characters and HTML escaped, one line kept.

    ``&``, ``<`` and ``>`` become entities, so no HTML survives; line breaks stay
    (use ``one_line`` first for a table cell or a heading).
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN.sub(r"\\\1", text)
    # a leading "-", "+" or "1." would start a list, "#" a heading, "=" an underline
    text = re.sub(r"(?m)^(\s*)([-=+#])", r"\1\\\2", text)
    return re.sub(r"(?m)^(\s*\d+)\.", r"\1\\.", text)
