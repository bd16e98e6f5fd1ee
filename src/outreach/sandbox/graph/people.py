"""The user and the directory: /me, /users (search, get), manager, directReports,
mailboxSettings."""

from __future__ import annotations

import re
from typing import Any

from ..directory import Person
from ..xml import parse_dt
from . import ids, query
from .routing import GraphError, Reply, Request, route
from .times import dtz

WINDOWS = {
    "America/New_York": "Eastern Standard Time",
    "America/Chicago": "Central Standard Time",
    "America/Los_Angeles": "Pacific Standard Time",
    "Europe/Berlin": "W. Europe Standard Time",
    "Europe/Rome": "W. Europe Standard Time",
    "Europe/London": "GMT Standard Time",
    "UTC": "UTC",
}


def user_json(address: str, person: Person | None, name: str | None = None) -> dict[str, Any]:
    display = person.name if person else (name or address)
    return {
        "id": ids.user_id(address),
        "displayName": display,
        "givenName": person.first_name if person else None,
        "surname": person.last_name if person else None,
        "mail": address,
        "userPrincipalName": address,
        "jobTitle": (person.title or None) if person else None,
        "department": (person.department or None) if person else None,
        "officeLocation": (person.office or None) if person else None,
        "businessPhones": [person.phone] if person and person.phone else [],
        "mobilePhone": None,
        "preferredLanguage": "en-US",
    }


def _me(req: Request) -> dict[str, Any]:
    box = req.mailbox
    return user_json(box.address, req.state.directory.get(box.address), box.name)


@route("GET", "")
def get_user(req: Request) -> Reply:
    body = query.select(_me(req), query.fields_of(req.query))
    return Reply(
        200, {"@odata.context": req.sandbox.graph_url + "/$metadata#users/$entity", **body}
    )


def _as_object(doc: dict[str, Any]) -> dict[str, Any]:
    return {"@odata.type": "#microsoft.graph.user", **doc}


@route("GET", "/manager")
def manager(req: Request) -> Reply:
    person = req.state.directory.get(req.mailbox.address)
    boss = req.state.directory.get(person.manager) if person and person.manager else None
    if boss is None:
        raise GraphError(
            404,
            "Request_ResourceNotFound",
            "Resource 'manager' does not exist or one of its queried "
            "reference-property objects are not present.",
        )
    return Reply(
        200,
        {
            "@odata.context": req.sandbox.graph_url + "/$metadata#directoryObjects/$entity",
            **_as_object(user_json(boss.email, boss)),
        },
    )


@route("GET", "/directReports")
def direct_reports(req: Request) -> Reply:
    me = req.mailbox.address
    reports = [p for p in req.state.directory.people.values() if p.manager.lower() == me]
    return Reply(
        200,
        {
            "@odata.context": req.sandbox.graph_url + "/$metadata#directoryObjects",
            "value": [_as_object(user_json(p.email, p)) for p in reports],
        },
    )


@route("GET", "/users", root=True)
def list_users(req: Request) -> Reply:
    people = sorted(req.state.directory.people.values(), key=lambda p: p.name)
    docs = [user_json(p.email, p) for p in people]
    search = req.query.get("$search")
    if search:
        if req.headers.get("consistencylevel", "").lower() != "eventual":
            raise GraphError(
                400,
                "Request_UnsupportedQuery",
                "Request with $search query parameter only works through MSGraph "
                "with a special request header: 'ConsistencyLevel: eventual'",
            )
        docs = [d for d in docs if _searched(d, search)]
    predicate = query.compile_filter(req.query.get("$filter"))
    if predicate is not None:
        docs = [d for d in docs if predicate(d, {})]
    docs = query.order(docs, req.query.get("$orderby"))
    fields = query.fields_of(req.query)
    out: dict[str, Any] = {
        "@odata.context": req.sandbox.graph_url + "/$metadata#users",
        "value": [query.select(d, fields) for d in docs[: query.top(req.query, 100, 999)]],
    }
    if req.query.get("$count", "").lower() == "true":
        out = {
            "@odata.context": out["@odata.context"],
            "@odata.count": len(docs),
            "value": out["value"],
        }
    return Reply(200, out)


def _searched(doc: dict[str, Any], search: str) -> bool:
    """$search="prop:words" (OR between clauses): a prefix of any word of the property."""
    for clause in re.findall(r'"([^"]*)"', search) or [search]:
        prop, _, words = clause.partition(":")
        if not words:
            prop, words = "displayName", prop
        value = str(doc.get(prop.strip()) or "").lower()
        tokens = re.split(r"[\s.@_-]+", value)
        if all(any(t.startswith(w) for t in tokens) for w in words.lower().split()):
            return True
    return False


def _settings(req: Request) -> dict[str, Any]:
    """mailboxSettings from the directory entry: zone, working hours, automatic replies."""
    box = req.mailbox
    person = req.state.directory.get(box.address)
    zone = WINDOWS.get(person.timezone, person.timezone) if person else "UTC"
    oof = person.oof if person else {"state": "Disabled", "message": ""}
    state = str(oof.get("state", "Disabled")).lower()
    now = req.state.clock()
    status = {"enabled": "alwaysEnabled", "scheduled": "scheduled"}.get(state, "disabled")
    begins = parse_dt(str(oof["start"])) if oof.get("start") else now
    ends = parse_dt(str(oof["end"])) if oof.get("end") else now
    replies = {
        "status": status,
        "externalAudience": "all",
        "internalReplyMessage": oof.get("message", "") or "",
        "externalReplyMessage": oof.get("message", "") or "",
        "scheduledStartDateTime": dtz(begins, "UTC"),
        "scheduledEndDateTime": dtz(ends, "UTC"),
    }
    start, end = (person.work_start, person.work_end) if person else ("09:00", "17:00")
    return {
        "archiveFolder": None,
        "timeZone": zone,
        "automaticRepliesSetting": replies,
        "language": {"locale": "en-US", "displayName": "English (United States)"},
        "dateFormat": "M/d/yyyy",
        "timeFormat": "h:mm tt",
        "workingHours": {
            "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
            "startTime": f"{start}:00.0000000",
            "endTime": f"{end}:00.0000000",
            "timeZone": {"name": zone},
        },
    }


@route("GET", "/mailboxSettings")
def mailbox_settings(req: Request) -> Reply:
    return Reply(200, {"@odata.context": req.context("mailboxSettings"), **_settings(req)})


@route("GET", "/mailboxSettings/automaticRepliesSetting")
def automatic_replies(req: Request) -> Reply:
    return Reply(
        200,
        {
            "@odata.context": req.context("mailboxSettings/automaticRepliesSetting"),
            **_settings(req)["automaticRepliesSetting"],
        },
    )


@route("GET", "/mailboxSettings/workingHours")
def working_hours(req: Request) -> Reply:
    return Reply(
        200,
        {
            "@odata.context": req.context("mailboxSettings/workingHours"),
            **_settings(req)["workingHours"],
        },
    )


@route("GET", "/mailboxSettings/timeZone")
def time_zone(req: Request) -> Reply:
    return Reply(
        200,
        {
            "@odata.context": req.context("mailboxSettings/timeZone"),
            "value": _settings(req)["timeZone"],
        },
    )
