"""Fixtures: a recording sandbox on a movable clock, and exchangelib accounts against it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from exchangelib import (
    BASIC,
    DELEGATE,
    Account,
    Attendee,
    CalendarItem,
    Configuration,
    Credentials,
    ExtendedProperty,
    Mailbox,
    Message,
)
from exchangelib.protocol import BaseProtocol, FailFast, FaultTolerance
from lxml import etree

from outreach.sandbox import Sandbox

SCHEMA_DIR = Path(
    os.environ.get("OUTREACH_EWS_SCHEMA")
    or Path(__file__).resolve().parents[3] / "shared" / "ews-schema"
)


class OutreachId(ExtendedProperty):
    """The action id the outbox stamps on items (a named string property)."""

    property_set_id = "c11ff724-aa03-4555-9952-8fa248a11c3e"
    property_name = "OutreachActionId"
    property_type = "String"


if "outreach_id" not in {f.name for f in Message.FIELDS}:
    Message.register("outreach_id", OutreachId)


def message_to(account: Account, address: str, subject: str, **fields: object) -> Message:
    """A message from the account's owner to ``address``, to save or send."""
    return Message(
        account=account, subject=subject, to_recipients=[Mailbox(email_address=address)], **fields
    )


def meeting_with(
    account: Account, address: str, subject: str, start: datetime, **fields: object
) -> CalendarItem:
    """A half-hour meeting in the account's calendar with ``address`` invited, to save."""
    return CalendarItem(
        account=account,
        folder=account.calendar,
        subject=subject,
        start=start,
        end=start + timedelta(minutes=30),
        required_attendees=[
            Attendee(mailbox=Mailbox(email_address=address), response_type="Unknown")
        ],
        **fields,
    )


def property_filter(prop_id: str, value: str) -> dict[str, str]:
    """Graph's query for the items whose extended property ``prop_id`` holds ``value``."""
    return {
        "$filter": f"singleValueExtendedProperties/any(ep: ep/id eq '{prop_id}' and "
        f"ep/value eq '{value}')"
    }


class Clock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 2, 14, 0, tzinfo=UTC))


@pytest.fixture
def sandbox(clock: Clock, tmp_path: Path) -> Iterator[Sandbox]:
    with Sandbox(clock=clock, record=True) as sb:
        yield sb
    _validate_all(sb)


def make_account(sb: Sandbox, address: str | None = None, retry: object | None = None) -> Account:
    BaseProtocol.USERAGENT = "outreach-tests"
    config = Configuration(
        service_endpoint=sb.url,
        credentials=Credentials(address or sb.user, "secret"),
        auth_type=BASIC,
        retry_policy=retry or FailFast(),
    )
    return Account(address or sb.user, config=config, autodiscover=False, access_type=DELEGATE)


@pytest.fixture
def account(sandbox: Sandbox) -> Account:
    return make_account(sandbox)


def graph_client(sb: Sandbox, token: str = "any-token", **headers: str) -> httpx.Client:
    """An httpx client on the sandbox's Graph face (any bearer token signs in)."""
    return httpx.Client(
        base_url=sb.graph_url, headers={"Authorization": f"Bearer {token}", **headers}
    )


@pytest.fixture
def graph(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with graph_client(sandbox) as client:
        yield client


_schema: etree.XMLSchema | None = None


def schema() -> etree.XMLSchema:
    global _schema
    if _schema is None:
        _schema = etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "messages.xsd")))
    return _schema


def _validate_all(sb: Sandbox) -> None:
    """Every response the sandbox sent in a test must validate against Microsoft's schema."""
    if not (SCHEMA_DIR / "messages.xsd").exists():
        pytest.skip(f"EWS schema not found at {SCHEMA_DIR} (set OUTREACH_EWS_SCHEMA)")
    problems = []
    for operation, body in sb.recorded:
        if not schema().validate(etree.ElementTree(body)):
            problems.append(f"{operation}: {schema().error_log.last_error}")
    assert not problems, "\n".join(problems)


__all__ = ["Clock", "FaultTolerance", "OutreachId", "graph_client", "make_account", "schema"]
