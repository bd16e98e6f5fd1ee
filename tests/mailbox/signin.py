"""What the sign-in tests share: a test CA, a small campaign, and the search for leaked secrets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from outreach.core.items import OutgoingEmail
from outreach.core.observations import DraftSent
from outreach.mailbox.ews import EwsMailbox
from outreach.sandbox import Sandbox

BERLIN = ZoneInfo("Europe/Berlin")
#: the start of every NTLM message in base64 ("NTLMSSP\0")
NTLM_MARK = "TlRMTVNT"


@dataclass(frozen=True)
class Pki:
    """A private certificate authority and the server certificates it signed (PEM files)."""

    ca: Path  # the CA certificate: what mailbox.ca_bundle names
    server: Path  # key and chain for 127.0.0.1 and localhost
    other_name: Path  # key and chain for mail.example.com only


def make_pki(directory: Path) -> Pki:
    import trustme

    authority = trustme.CA(organization_name="Example Corp Test CA")
    pki = Pki(directory / "ca.pem", directory / "server.pem", directory / "other.pem")
    authority.cert_pem.write_to_path(str(pki.ca))
    issued = authority.issue_cert("127.0.0.1", "localhost")
    issued.private_key_and_cert_chain_pem.write_to_path(str(pki.server))
    other = authority.issue_cert("mail.example.com")
    other.private_key_and_cert_chain_pem.write_to_path(str(pki.other_name))
    return pki


def small_campaign(box: EwsMailbox, sandbox: Sandbox) -> None:
    """Drafts, the user pressing Send, sync noticing it, free/busy and MailTips: all must work."""
    state: dict[str, str] = {}
    for _ in range(10):
        result = box.sync(state)
        state = result.state
        if not result.more:
            break
    made = box.create_drafts([_email(1), _email(2)])
    assert [c.tracking_id for c in made] == ["req001", "req002"]
    assert len(sandbox.controls.inspect(mailbox=box.connection.email)["drafts"]) == 2
    sandbox.controls.press_send(subject="(1)", mailbox=box.connection.email)
    seen = []
    for _ in range(10):
        result = box.sync(state)
        seen += result.observations
        state = result.state
        if not result.more:
            break
    assert [o.tracking_id for o in seen if isinstance(o, DraftSent)] == ["req001"]
    monday = datetime(2026, 11, 30, tzinfo=BERLIN)
    busy = box.busy(["dana.whitlock@example.com"], monday, monday + timedelta(days=5))
    assert busy["dana.whitlock@example.com"]
    tips = box.mail_tips(["marcus.oyelaran@example.com", "priya.castellan@example.com"])
    assert tips["marcus.oyelaran@example.com"].away
    assert not tips["priya.castellan@example.com"].away


def _email(n: int) -> OutgoingEmail:
    return OutgoingEmail(
        tracking_id=f"req{n:03d}",
        contact_id=f"contact{n:03d}",
        to=("priya.castellan@example.com",),
        subject=f"Twenty minutes about data platforms ({n})",
        html=f"<p>Could we talk for 20 minutes? ({n})</p>",
        text=f"Could we talk for 20 minutes? ({n})",
    )


def leaks(log: str, secrets: Iterable[str]) -> list[str]:
    """The secrets (and NTLM messages) that appear in a captured log."""
    found = [s for s in secrets if s and s in log]
    if NTLM_MARK in log:
        found.append(NTLM_MARK)
    return found
