"""getMailTips and calendar/getSchedule, from the directory and the sandbox's mailboxes."""

from __future__ import annotations

from typing import Any

from ..operations.availability import busy_of, merged
from ..operations.base import Context
from . import convert
from .people import WINDOWS
from .routing import GraphError, Reply, Request, route
from .times import dtz, parse_dtz


def _param(data: dict[str, Any], name: str) -> Any:
    """Action parameters are matched without regard to case (EmailAddresses, emailAddresses)."""
    return next((v for k, v in data.items() if k.lower() == name.lower()), None)


@route("POST", "/getMailTips")
def get_mail_tips(req: Request) -> Reply:
    data = req.json_body()
    addresses = _param(data, "EmailAddresses")
    if not isinstance(addresses, list) or not addresses:
        raise GraphError(
            400, "ErrorInvalidParameter", "EmailAddresses must list at least one address."
        )
    options = {o.strip().lower() for o in str(_param(data, "MailTipsOptions") or "").split(",")}
    now = req.state.clock()
    domain = req.mailbox.address.split("@")[-1]
    value = []
    for address in addresses:
        address = str(address).lower()
        person = req.state.directory.get(address)
        internal = address.split("@")[-1] == domain
        tips: dict[str, Any] = {"emailAddress": {"name": "", "address": address}}
        if internal and person is None and address not in req.state.mailboxes:
            tips["error"] = {
                "code": "ErrorInvalidRecipients",
                "message": f"The recipient {address} was not found in the directory.",
            }
            value.append(tips)
            continue
        if "automaticreplies" in options:
            message = person.oof.get("message", "") if person and person.oof_active(now) else ""
            tips["automaticReplies"] = {"message": message}
            if message:
                tips["automaticReplies"]["messageLanguage"] = {
                    "locale": "en-US",
                    "displayName": "English (United States)",
                }
        if "mailboxfullstatus" in options:
            tips["mailboxFull"] = False
        if "recipientscope" in options:
            tips["recipientScope"] = "internal" if internal else "external"
        if "externalmembercount" in options:
            tips["externalMemberCount"] = 0 if internal else 1
        if "totalmembercount" in options:
            tips["totalMemberCount"] = 1
        if "deliveryrestriction" in options:
            tips["deliveryRestricted"] = False
        if "moderationstatus" in options:
            tips["isModerated"] = False
        if "custommailtip" in options:
            tips["customMailTip"] = ""
        if "maxmessagesize" in options:
            tips["maxMessageSize"] = 36700160
        value.append(tips)
    return Reply(
        200,
        {
            "@odata.context": req.sandbox.graph_url
            + "/$metadata#Collection(microsoft.graph.mailTips)",
            "value": value,
        },
    )


@route("POST", "/calendar/getSchedule")
def get_schedule(req: Request) -> Reply:
    data = req.json_body()
    schedules = _param(data, "Schedules")
    try:
        start = parse_dtz(_param(data, "StartTime"))
        end = parse_dtz(_param(data, "EndTime"))
    except ValueError:
        raise GraphError(
            400, "ErrorInvalidParameter", "startTime and endTime must be dateTimeTimeZone values."
        ) from None
    if not isinstance(schedules, list) or not schedules or end <= start:
        raise GraphError(
            400,
            "ErrorInvalidParameter",
            "getSchedule needs schedules and a window whose end is after its start.",
        )
    interval = int(_param(data, "AvailabilityViewInterval") or 30)
    if not 5 <= interval <= 1440:
        raise GraphError(
            400,
            "ErrorInvalidParameter",
            "availabilityViewInterval must be between 5 and 1440 minutes.",
        )
    tz = req.tz
    ctx = Context(req.state, req.mailbox.address)
    value = []
    for address in schedules:
        address = str(address)
        blocks = busy_of(ctx, address, start, end)
        if blocks is None:
            value.append(
                {
                    "scheduleId": address,
                    "error": {
                        "message": f"The user {address} was not found.",
                        "responseCode": "ErrorMailRecipientNotFound",
                    },
                }
            )
            continue
        person = req.state.directory.get(address)
        zone = WINDOWS.get(person.timezone, person.timezone) if person else "UTC"
        ws, we = (person.work_start, person.work_end) if person else ("09:00", "17:00")
        value.append(
            {
                "scheduleId": address,
                "availabilityView": merged(blocks, start, end, interval),
                "scheduleItems": [
                    {
                        "isPrivate": False,
                        "status": convert.SHOW_AS.get(b.status, "busy"),
                        "subject": b.subject,
                        "location": "",
                        "start": dtz(b.start, tz),
                        "end": dtz(b.end, tz),
                    }
                    for b in blocks
                ],
                "workingHours": {
                    "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
                    "startTime": f"{ws}:00.0000000",
                    "endTime": f"{we}:00.0000000",
                    "timeZone": {"name": zone},
                },
            }
        )
    return Reply(
        200,
        {
            "@odata.context": req.sandbox.graph_url
            + "/$metadata#Collection(microsoft.graph.scheduleInformation)",
            "value": value,
        },
    )
