"""ResolveNames against the directory (and the sandbox's own mailboxes)."""

from __future__ import annotations

from ..directory import Directory, Person
from ..xml import Element, el, q, response_message, sub
from .base import Context, operation


def _mailbox(parent: Element, p: Person) -> None:
    """A SingleRecipientType/ArrayOfRecipientsType entry: <t:Mailbox> with name and address."""
    mbx = sub(parent, "t:Mailbox")
    sub(mbx, "t:Name", p.name)
    sub(mbx, "t:EmailAddress", p.email)
    sub(mbx, "t:RoutingType", "SMTP")
    sub(mbx, "t:MailboxType", "Mailbox")


def _contact(p: Person, directory: Directory) -> Element:
    """The directory entry as Exchange 2016 returns it with full contact data, in schema order.

    Manager is the manager's display name; ManagerMailbox and DirectReports the addresses.
    """
    manager = directory.get(p.manager) if p.manager else None
    node = el("t:Contact")
    sub(node, "t:DisplayName", p.name)
    sub(node, "t:GivenName", p.first_name)
    sub(node, "t:Initials", "".join(w[0] for w in p.name.split()))
    if p.company:
        sub(node, "t:CompanyName", p.company)
    mails = sub(node, "t:EmailAddresses")
    sub(mails, "t:Entry", f"SMTP:{p.email}", {"Key": "EmailAddress1"})
    if p.phone:
        phones = sub(node, "t:PhoneNumbers")
        sub(phones, "t:Entry", p.phone, {"Key": "BusinessPhone"})
    sub(node, "t:ContactSource", "ActiveDirectory")
    if p.department:
        sub(node, "t:Department", p.department)
    if p.title:
        sub(node, "t:JobTitle", p.title)
    if manager is not None:
        sub(node, "t:Manager", manager.name)
    if p.office:
        sub(node, "t:OfficeLocation", p.office)
    if p.last_name:
        sub(node, "t:Surname", p.last_name)
    if manager is not None:
        _mailbox(sub(node, "t:ManagerMailbox"), manager)
    reports = directory.reports(p.email)
    if reports:
        listed = sub(node, "t:DirectReports")
        for report in reports:
            _mailbox(listed, report)
    return node


@operation("ResolveNames")
def resolve_names(ctx: Context, req: Element) -> Element:
    """One response message per UnresolvedEntry (exchangelib may send several)."""
    full = req.get("ReturnFullContactData") == "true"
    resp = el("m:ResolveNamesResponse")
    msgs = sub(resp, "m:ResponseMessages")
    for entry in req.findall(q("m:UnresolvedEntry")):
        hits = ctx.state.directory.search(entry.text or "")
        if not hits:
            msgs.append(
                response_message(
                    "m:ResolveNamesResponseMessage",
                    "ErrorNameResolutionNoResults",
                    "No results were found.",
                )
            )
            continue
        code = "NoError" if len(hits) == 1 else "ErrorNameResolutionMultipleResults"
        msg = response_message(
            "m:ResolveNamesResponseMessage", code, "Multiple results were found."
        )
        if code != "NoError":
            msg.set("ResponseClass", "Warning")
        rs = sub(
            msg,
            "m:ResolutionSet",
            attrs={"TotalItemsInView": str(len(hits)), "IncludesLastItemInRange": "true"},
        )
        for p in hits[:100]:
            res = sub(rs, "t:Resolution")
            _mailbox(res, p)
            if full:
                res.append(_contact(p, ctx.state.directory))
        msgs.append(msg)
    return resp
