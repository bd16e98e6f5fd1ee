"""Microsoft Graph's CSDL as a checker for JSON bodies: the sandbox's answers, clients' requests.

`Schema` reads v1.0-Prod.csdl once ($OUTREACH_GRAPH_SCHEMA, default ../shared/graph-schema
beside the repository) and `check(value, "message")` lists what is wrong with a body:
properties the type (with its base types) lacks, values of the wrong Edm type, enum
members that do not exist, collections that are not arrays, `@odata.type` naming a type
that does not derive from the expected one, annotations Graph does not write. For a
request (`request=True`) also properties set on create that the CSDL marks computed
(Org.OData.Core.V1.Computed) or the entity's key. Open types are checked as closed ones:
Graph's answers for them carry only declared properties, and a typo must not pass.

`ROUTES` maps each route of the Graph face to the types of its request and answer;
`check_exchange` checks one recorded exchange.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = Path(
    os.environ.get("OUTREACH_GRAPH_SCHEMA") or ROOT.parent / "shared" / "graph-schema"
)
CSDL = SCHEMA_DIR / "v1.0-Prod.csdl"
EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
NS = "microsoft.graph"

ODATA = {
    "@odata.context",
    "@odata.type",
    "@odata.etag",
    "@odata.id",
    "@odata.nextLink",
    "@odata.deltaLink",
    "@odata.count",
    "@odata.editLink",
    "@odata.readLink",
}
_DTO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,7})?)?(Z|[+-]\d\d:\d\d)$")
_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
_TIME = re.compile(r"^\d\d:\d\d(:\d\d(\.\d{1,7})?)?$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_DURATION = re.compile(r"^-?P(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")


@dataclass
class Prop:
    type: str
    nullable: bool = True
    nav: bool = False


@dataclass
class Type:
    name: str
    base: str | None
    props: dict[str, Prop] = field(default_factory=dict)
    key: set[str] = field(default_factory=set)


def _short(name: str | None) -> str | None:
    """'graph.message' / 'microsoft.graph.message' -> 'message' (Edm.* unchanged)."""
    if name is None:
        return None
    if name.startswith("Collection("):
        return f"Collection({_short(name[len('Collection(') : -1])})"
    for prefix in ("graph.", NS + "."):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


class Schema:
    """The microsoft.graph schema of the CSDL: types, enums, computed properties, actions."""

    def __init__(self, path: Path = CSDL) -> None:
        doc = etree.parse(str(path))
        self.types: dict[str, Type] = {}
        self.enums: dict[str, tuple[set[str], bool]] = {}
        self.computed: set[tuple[str, str]] = set()
        self.actions: dict[tuple[str, str], dict[str, Prop]] = {}
        schema = next(s for s in doc.iter(f"{EDM}Schema") if s.get("Namespace") == NS)
        for node in schema:
            tag = etree.QName(node).localname
            if tag in ("EntityType", "ComplexType"):
                t = Type(node.get("Name"), _short(node.get("BaseType")))
                for p in node:
                    kind = etree.QName(p).localname
                    if kind in ("Property", "NavigationProperty"):
                        t.props[p.get("Name")] = Prop(
                            _short(p.get("Type")) or "",
                            p.get("Nullable") != "false",
                            kind == "NavigationProperty",
                        )
                        if any(
                            a.get("Term") == "Org.OData.Core.V1.Computed"
                            and a.get("Bool", "true") == "true"
                            for a in p.iter(f"{EDM}Annotation")
                        ):
                            self.computed.add((t.name, p.get("Name")))
                    elif kind == "Key":
                        t.key = {r.get("Name") for r in p}
                self.types[t.name] = t
            elif tag == "EnumType":
                members = {m.get("Name") for m in node.iter(f"{EDM}Member")}
                self.enums[node.get("Name")] = (members, node.get("IsFlags") == "true")
            elif tag == "Action" and node.get("IsBound") == "true":
                params = list(node.iter(f"{EDM}Parameter"))
                binding = _short(params[0].get("Type")) or ""
                self.actions[(node.get("Name"), binding)] = {
                    p.get("Name").lower(): Prop(
                        _short(p.get("Type")) or "", p.get("Nullable") != "false"
                    )
                    for p in params[1:]
                }
        for node in doc.iter(f"{EDM}Annotations"):  # they sit in other Schema elements too
            owner, _, prop = (node.get("Target") or "").rpartition("/")
            if prop and any(
                a.get("Term") == "Org.OData.Core.V1.Computed" and a.get("Bool", "true") == "true"
                for a in node.iter(f"{EDM}Annotation")
            ):
                self.computed.add((_short(owner) or "", prop))

    # -- the type hierarchy -------------------------------------------------------------
    def lineage(self, name: str) -> list[Type]:
        out, current = [], self.types.get(name)
        while current is not None:
            out.append(current)
            current = self.types.get(current.base) if current.base else None
        return out

    def prop(self, type_name: str, name: str) -> tuple[Type, Prop] | None:
        for t in self.lineage(type_name):
            if name in t.props:
                return t, t.props[name]
        return None

    def derives(self, name: str, base: str) -> bool:
        return any(t.name == base for t in self.lineage(name))

    # -- checking -------------------------------------------------------------------------
    def check(
        self,
        value: Any,
        type_name: str,
        where: str = "$",
        *,
        request: bool = False,
        delta: bool = False,
    ) -> list[str]:
        """What is wrong with `value` as an instance of `type_name` (empty: nothing)."""
        if type_name.startswith("Collection("):
            inner = type_name[len("Collection(") : -1]
            if not isinstance(value, list):
                return [f"{where}: expected an array of {inner}, got {type(value).__name__}"]
            out: list[str] = []
            for i, v in enumerate(value):
                out += self.check(v, inner, f"{where}[{i}]", request=request, delta=delta)
            return out
        if type_name.startswith("Edm."):
            return self._edm(value, type_name, where)
        if type_name in self.enums:
            return self._enum(value, type_name, where)
        if type_name not in self.types:
            return [f"{where}: the CSDL has no type {type_name}"]
        return self._object(value, type_name, where, request=request, delta=delta, top=True)

    def _object(
        self,
        value: Any,
        type_name: str,
        where: str,
        *,
        request: bool,
        delta: bool,
        top: bool = False,
    ) -> list[str]:
        if not isinstance(value, dict):
            return [f"{where}: expected a {type_name} object, got {type(value).__name__}"]
        actual = type_name
        out: list[str] = []
        named = value.get("@odata.type")
        if named is not None:
            derived = _short(str(named).lstrip("#")) or ""
            if derived not in self.types:
                out.append(f"{where}: @odata.type {named} is not a type of the CSDL")
            elif not self.derives(derived, type_name):
                out.append(f"{where}: @odata.type {named} does not derive from {type_name}")
            else:
                actual = derived
        if delta and "@removed" in value:
            removed = value["@removed"]
            if not isinstance(removed, dict) or removed.get("reason") not in ("deleted", "changed"):
                out.append(f"{where}.@removed: expected {{'reason': 'deleted'|'changed'}}")
            extra = set(value) - {"id", "@removed", "@odata.type"}
            if extra:
                out.append(f"{where}: a removed entry carries {sorted(extra)}")
            return out
        for key, v in value.items():
            here = f"{where}.{key}"
            if key.startswith("@"):
                if key not in ODATA:
                    out.append(f"{here}: Graph writes no annotation {key}")
                continue
            if "@" in key:  # a property annotation, e.g. contentBytes@odata.mediaContentType
                if self.prop(actual, key.split("@")[0]) is None:
                    out.append(f"{here}: annotates a property {actual} does not have")
                continue
            found = self.prop(actual, key)
            if found is None:
                out.append(f"{here}: {actual} has no property {key}")
                continue
            owner, prop = found
            if request and top and (key in owner.key or (owner.name, key) in self.computed):
                out.append(f"{here}: {key} is read-only on {actual} and cannot be set")
            if v is None:
                if not prop.nullable or prop.type.startswith("Collection("):
                    out.append(f"{here}: null is not allowed")
                continue
            out += self.check(v, prop.type, here, request=False)
        return out

    def _edm(self, v: Any, type_name: str, where: str) -> list[str]:
        def bad() -> list[str]:
            return [f"{where}: {v!r} is not an {type_name}"]

        if v is None:
            return []
        if type_name == "Edm.String":
            return [] if isinstance(v, str) else bad()
        if type_name == "Edm.Boolean":
            return [] if isinstance(v, bool) else bad()
        if type_name in ("Edm.Int16", "Edm.Int32", "Edm.Int64", "Edm.Byte", "Edm.SByte"):
            return [] if isinstance(v, int) and not isinstance(v, bool) else bad()
        if type_name in ("Edm.Double", "Edm.Single", "Edm.Decimal"):
            ok = isinstance(v, int | float) and not isinstance(v, bool)
            return [] if ok or v in ("NaN", "INF", "-INF") else bad()
        if not isinstance(v, str):
            return bad() if type_name != "Edm.Untyped" else []
        pattern = {
            "Edm.DateTimeOffset": _DTO,
            "Edm.Date": _DATE,
            "Edm.TimeOfDay": _TIME,
            "Edm.Guid": _GUID,
            "Edm.Duration": _DURATION,
        }.get(type_name)
        if pattern is not None:
            return [] if pattern.match(v) else bad()
        if type_name == "Edm.Binary":
            try:
                base64.b64decode(v.replace("-", "+").replace("_", "/"), validate=True)
            except (binascii.Error, ValueError):
                return bad()
        return []

    def _enum(self, v: Any, type_name: str, where: str) -> list[str]:
        members, flags = self.enums[type_name]
        names = [s.strip() for s in v.split(",")] if isinstance(v, str) and flags else [v]
        wrong = [n for n in names if n not in members]
        return [f"{where}: {v!r} is not a member of {type_name}"] if wrong else []

    def check_action(self, body: Any, action: str, binding: str, where: str = "$") -> list[str]:
        """A request body of a bound action: its parameters (names without regard to case)."""
        params = self.actions.get((action, binding))
        if params is None:
            return [f"{where}: the CSDL has no action {action} bound to {binding}"]
        if body is None:
            return []
        if not isinstance(body, dict):
            return [f"{where}: the parameters of {action} must be an object"]
        out: list[str] = []
        for key, v in body.items():
            prop = params.get(key.lower())
            if prop is None:
                out.append(f"{where}.{key}: {action} has no parameter {key}")
            elif v is not None:
                out += self.check(v, prop.type, f"{where}.{key}", request=True)
        return out


@cache
def schema() -> Schema:
    return Schema(CSDL)


# -- routes of the Graph face ----------------------------------------------------------------
@dataclass(frozen=True)
class Shape:
    """The request and answer of one route: a type, 'Collection(type)', an action, or None."""

    request: str | None = None
    response: str | None = None
    action: tuple[str, str] | None = None
    delta: bool = False


_ID = r"[^/]+"
ROUTES: list[tuple[str, str, Shape]] = [
    ("GET", r"", Shape(response="user")),
    ("GET", r"/mailboxSettings", Shape(response="mailboxSettings")),
    ("GET", r"/mailboxSettings/automaticRepliesSetting", Shape(response="automaticRepliesSetting")),
    ("GET", r"/mailboxSettings/workingHours", Shape(response="workingHours")),
    ("GET", r"/mailboxSettings/timeZone", Shape(response="value:Edm.String")),
    ("GET", r"/mailFolders", Shape(response="Collection(mailFolder)")),
    ("GET", rf"/mailFolders/{_ID}", Shape(response="mailFolder")),
    ("POST", r"/messages", Shape(request="message", response="message")),
    ("POST", rf"/mailFolders/{_ID}/messages", Shape(request="message", response="message")),
    ("GET", r"/messages", Shape(response="Collection(message)")),
    ("GET", rf"/mailFolders/{_ID}/messages", Shape(response="Collection(message)")),
    (
        "GET",
        rf"/mailFolders/{_ID}/messages/delta",
        Shape(response="Collection(message)", delta=True),
    ),
    ("GET", rf"/messages/{_ID}", Shape(response="message")),
    ("PATCH", rf"/messages/{_ID}", Shape(request="message!", response="message")),
    ("DELETE", rf"/messages/{_ID}", Shape()),
    ("POST", rf"/messages/{_ID}/send", Shape(action=("send", "message"))),
    ("POST", rf"/messages/{_ID}/move", Shape(action=("move", "message"), response="message")),
    ("POST", r"/sendMail", Shape(action=("sendMail", "user"))),
    ("GET", rf"/messages/{_ID}/attachments", Shape(response="Collection(attachment)")),
    ("GET", rf"/messages/{_ID}/attachments/{_ID}", Shape(response="attachment")),
    ("POST", rf"/messages/{_ID}/attachments", Shape(request="attachment", response="attachment")),
    ("POST", r"/(calendar/)?events", Shape(request="event", response="event")),
    ("GET", r"/(calendar/)?events", Shape(response="Collection(event)")),
    ("GET", r"/(calendar/)?calendarView", Shape(response="Collection(event)")),
    ("GET", r"/calendarView/delta", Shape(response="Collection(event)", delta=True)),
    ("GET", rf"/events/{_ID}", Shape(response="event")),
    ("PATCH", rf"/events/{_ID}", Shape(request="event!", response="event")),
    ("DELETE", rf"/events/{_ID}", Shape()),
    ("POST", rf"/events/{_ID}/cancel", Shape(action=("cancel", "event"))),
    ("GET", r"/calendar", Shape(response="calendar")),
    (
        "POST",
        r"/getMailTips",
        Shape(action=("getMailTips", "user"), response="Collection(mailTips)"),
    ),
    (
        "POST",
        r"/calendar/getSchedule",
        Shape(action=("getSchedule", "calendar"), response="Collection(scheduleInformation)"),
    ),
    ("GET", r"/manager", Shape(response="directoryObject")),
    ("GET", r"/directReports", Shape(response="Collection(directoryObject)")),
]
ROOT_ROUTES: list[tuple[str, str, Shape]] = [
    ("GET", r"/users", Shape(response="Collection(user)")),
    ("POST", r"/\$batch", Shape()),
]
_USER = re.compile(r"^/(me|users/[^/]+)(/.*)?$", re.I)


def shape_of(method: str, path: str) -> Shape | None:
    for m, pattern, shape in ROOT_ROUTES:
        if m == method and re.fullmatch(pattern, path, re.I):
            return shape
    hit = _USER.match(path)
    if hit is None:
        return None
    rest = (hit.group(2) or "").rstrip("/")
    for m, pattern, shape in ROUTES:
        if m == method and re.fullmatch(pattern, rest, re.I):
            return shape
    return None


def _error_shape(body: Any) -> list[str]:
    err = body.get("error") if isinstance(body, dict) else None
    if (
        not isinstance(err, dict)
        or not isinstance(err.get("code"), str)
        or not isinstance(err.get("message"), str)
    ):
        return ['an error answer must be {"error": {"code": str, "message": str, ...}}']
    inner = err.get("innerError")
    if inner is not None and not (
        isinstance(inner, dict) and "request-id" in inner and "date" in inner
    ):
        return ["error.innerError must carry date and request-id"]
    return []


def _answer(body: Any, shape: Shape) -> list[str]:
    s = schema()
    assert shape.response is not None
    if shape.response.startswith("value:"):  # a primitive property: {"value": ...}
        if not isinstance(body, dict) or set(body) - {"value", "@odata.context"}:
            return ['a property answer must be {"value": ...}']
        return s.check(body.get("value"), shape.response[len("value:") :], "$.value")
    if shape.response.startswith("Collection("):
        if not isinstance(body, dict) or not isinstance(body.get("value"), list):
            return ['a collection answer must be {"value": [...]}']
        extra = [k for k in body if k != "value" and k not in ODATA]
        out = [f"$.{k}: not an annotation of a collection" for k in extra]
        return out + s.check(body["value"], shape.response, "$.value", delta=shape.delta)
    return s.check(body, shape.response)


BATCH_MEMBERS = {"id", "method", "url", "headers", "body", "dependsOn"}


def _batch(request: Any, response: Any) -> list[str]:
    out = []
    reqs = request.get("requests") if isinstance(request, dict) else None
    if not isinstance(reqs, list):
        out.append('a $batch request must be {"requests": [...]}')
    else:
        for i, r in enumerate(reqs):
            if not isinstance(r, dict) or not {"id", "method", "url"} <= set(r):
                out.append(f"$.requests[{i}]: needs id, method and url")
            elif set(r) - BATCH_MEMBERS:
                out.append(f"$.requests[{i}]: unknown members {sorted(set(r) - BATCH_MEMBERS)}")
    if response is not None:
        resps = response.get("responses") if isinstance(response, dict) else None
        if not isinstance(resps, list):
            out.append('a $batch answer must be {"responses": [...]}')
        else:
            for i, r in enumerate(resps):
                if (
                    not isinstance(r, dict)
                    or not isinstance(r.get("id"), str)
                    or not isinstance(r.get("status"), int)
                ):
                    out.append(f"$.responses[{i}]: needs a string id and an integer status")
    return out


def _element_type(shape: Shape) -> str | None:
    name = shape.response
    if name is None or name.startswith("value:"):
        return None
    return name[len("Collection(") : -1] if name.startswith("Collection(") else name


def check_query(query: dict[str, str], shape: Shape) -> list[str]:
    """$select, $orderby and $expand must name properties the answer's type has (Graph
    answers 400 for a property it does not know; a typo must not pass quietly)."""
    s = schema()
    type_name = _element_type(shape)
    if type_name is None or type_name not in s.types:
        return []
    out = []

    def known(name: str) -> bool:
        cast, _, prop = name.rpartition("/")
        owner = type_name
        if cast:
            owner = _short(cast) or ""
            if owner not in s.types or not s.derives(owner, type_name):
                return False
        return s.prop(owner, prop.strip()) is not None

    for option, names in (
        ("$select", (query.get("$select") or "").split(",")),
        ("$orderby", [p.strip().split(" ")[0] for p in (query.get("$orderby") or "").split(",")]),
        (
            "$expand",
            [
                re.sub(r"\(.*", "", p)
                for p in re.split(r",(?![^()]*\))", query.get("$expand") or "")
            ],
        ),
    ):
        for name in (n.strip() for n in names):
            if name and not known(name):
                out.append(f"{option}: {type_name} has no property {name}")
    return out


def check_exchange(
    method: str,
    path: str,
    request: Any,
    status: int,
    response: Any,
    query: dict[str, str] | None = None,
) -> list[str]:
    """Problems with one Graph exchange (path below /v1.0; its query options apart)."""
    shape = shape_of(method, path)
    where = f"{method} {path} ({status})"
    if shape is None:
        if status >= 400:
            return [f"{where}: {p}" for p in _error_shape(response)]
        return [f"{where}: no type is known for this route (add it to tests/graphschema.py)"]
    s = schema()
    problems: list[str] = check_query(query or {}, shape)
    if path.endswith("$batch"):
        problems += _batch(request, response if status < 400 else None)
    elif shape.action is not None:
        problems += s.check_action(request, *shape.action)
    elif shape.request is not None and request is not None:
        name = shape.request.rstrip("!")
        problems += s.check(request, name, request=not shape.request.endswith("!"))
    if status >= 400:
        problems += _error_shape(response)
    elif shape.response is not None and status not in (202, 204):
        problems += _answer(response, shape)
    elif response is not None and not path.endswith("$batch"):
        problems.append(f"an answer {status} of this route carries no body")
    return [f"{where}: {p}" for p in problems]
