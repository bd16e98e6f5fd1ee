"""OData query options over rendered Graph JSON: $filter, $select, $orderby, $expand, $top.

$filter is evaluated on the JSON an item renders to (plus all its extended properties), so
a filter names Graph's properties exactly as a client sees them: comparisons (eq ne gt ge
lt le), and/or/not, parentheses, startswith/endswith/contains, and lambda any/all over a
collection (`singleValueExtendedProperties/any(ep: ep/id eq '...' and ep/value eq '...')`).
Text compares case-insensitively, as Exchange does; extended property ids in any spelling.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from . import extprops
from .routing import GraphError

Json = dict[str, Any]
Predicate = Callable[[Json, dict[str, Any]], bool]

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<dt>\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d)?)"
    r"|(?P<num>-?\d+(?:\.\d+)?)|(?P<punct>[(),:])|(?P<word>[A-Za-z_@$][\w./@$-]*))"
)
_OPS = {"eq", "ne", "gt", "ge", "lt", "le"}


def _bad(text: str) -> GraphError:
    return GraphError(400, "BadRequest", f"Invalid filter clause: {text}")


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None:
            raise _bad(f"unexpected text at '{text[pos : pos + 20]}'")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def _value(doc: Any, path: str, scope: dict[str, Any]) -> Any:
    parts = path.split("/")
    if parts[0] in scope:
        doc, parts = scope[parts[0]], parts[1:]
    for part in parts:
        if not isinstance(doc, dict):
            return None
        key = next((k for k in doc if k.lower() == part.lower()), None)
        doc = doc.get(key) if key else None
    return doc


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        if extprops.PropId.parse(value):
            return extprops.canonical(value).lower()
        if re.match(r"^\d{4}-\d\d-\d\dT", value):
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                return value.lower()
        return value.lower()
    return value


def _compare(op: str, a: Any, b: Any) -> bool:
    a, b = _norm(a), _norm(b)
    if op == "eq":
        return a == b
    if op == "ne":
        return a != b
    if a is None or b is None:
        return False
    try:
        return {"gt": a > b, "ge": a >= b, "lt": a < b, "le": a <= b}[op]
    except TypeError:
        return False


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, str]:
        return self.toks[self.i] if self.i < len(self.toks) else ("end", "")

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok[0] == "end" or (value is not None and tok[1].lower() != value):
            raise _bad(f"expected {value or 'more'} in '{self.text}'")
        self.i += 1
        return tok

    def parse(self) -> Predicate:
        pred = self.or_()
        if self.peek()[0] != "end":
            raise _bad(f"unexpected '{self.peek()[1]}' in '{self.text}'")
        return pred

    def or_(self) -> Predicate:
        return self._joined("or", self.and_, any)

    def and_(self) -> Predicate:
        return self._joined("and", self.unary, all)

    def _joined(
        self, word: str, operand: Callable[[], Predicate], combine: Callable[[Iterable[bool]], bool]
    ) -> Predicate:
        """Operands joined by ``word`` (or, and), true as ``combine`` (any, all) says; the
        operands are asked left to right, only as far as needed."""
        parts = [operand()]
        while self.peek()[1].lower() == word:
            self.take()
            parts.append(operand())
        if len(parts) == 1:
            return parts[0]
        return lambda d, s: combine(bool(p(d, s)) for p in parts)

    def unary(self) -> Predicate:
        if self.peek()[1].lower() == "not":
            self.take()
            inner = self.unary()
            return lambda d, s: not inner(d, s)
        return self.primary()

    def literal(self) -> Any:
        kind, text = self.take()
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "num":
            return float(text) if "." in text else int(text)
        if kind == "dt":
            return text
        if kind == "word" and text.lower() in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[text.lower()]
        raise _bad(f"'{text}' is not a value")

    def primary(self) -> Predicate:
        kind, text = self.peek()
        if text == "(":
            self.take()
            inner = self.or_()
            self.take(")")
            return inner
        if kind != "word":
            raise _bad(f"unexpected '{text}'")
        self.take()
        name = text.lower()
        if name in ("startswith", "endswith", "contains") and self.peek()[1] == "(":
            self.take("(")
            path = self.take()[1]
            self.take(",")
            want = str(self.literal()).lower()
            self.take(")")
            test = {
                "startswith": str.startswith,
                "endswith": str.endswith,
                "contains": str.__contains__,
            }[name]
            return lambda d, s: test(str(_value(d, path, s) or "").lower(), want)
        head, _, last = text.rpartition("/")
        if last.lower() in ("any", "all") and self.peek()[1] == "(":
            self.take("(")
            var = self.take()[1]
            self.take(":")
            inner = self.or_()
            self.take(")")
            every = last.lower() == "all"

            def lam(d: Json, s: dict[str, Any]) -> bool:
                items = _value(d, head, s)
                items = items if isinstance(items, list) else []
                check = (inner(d, {**s, var: x}) for x in items)
                return all(check) if every else any(check)

            return lam
        op = self.take()[1].lower()
        if op not in _OPS:
            raise _bad(f"unknown operator '{op}'")
        want = self.literal()
        return lambda d, s: _compare(op, _value(d, text, s), want)


def compile_filter(text: str | None) -> Predicate | None:
    return _Parser(text).parse() if text else None


def select(doc: Json, fields: list[str] | None) -> Json:
    """Keep the selected properties (and id and the OData annotations)."""
    if not fields:
        return doc
    wanted = {f.lower() for f in fields}
    return {k: v for k, v in doc.items() if k.startswith("@") or k == "id" or k.lower() in wanted}


def fields_of(query: dict[str, str]) -> list[str] | None:
    text = query.get("$select")
    return [f.strip() for f in text.split(",") if f.strip()] if text else None


def expand_extended(query: dict[str, str]) -> Predicate | bool | None:
    """From $expand: False if singleValueExtendedProperties is not expanded, else its filter
    (None: all of them)."""
    text = query.get("$expand") or ""
    m = re.search(
        r"singleValueExtendedProperties(?:\(\s*\$filter\s*=\s*(.*)\))?\s*(?:,|$)", text, re.I
    )
    if m is None:
        return False
    return compile_filter(m.group(1))


def order(docs: list[Json], text: str | None) -> list[Json]:
    for part in reversed([p.strip() for p in (text or "").split(",") if p.strip()]):
        path, _, direction = part.partition(" ")
        docs.sort(
            key=lambda d, p=path: (_value(d, p, {}) is None, _norm(_value(d, p, {})) or ""),
            reverse=direction.strip().lower() == "desc",
        )
    return docs


def top(query: dict[str, str], default: int, limit: int = 1000) -> int:
    try:
        value = int(query.get("$top") or default)
    except ValueError:
        raise GraphError(400, "BadRequest", "Invalid $top value.") from None
    return max(1, min(value, limit))
