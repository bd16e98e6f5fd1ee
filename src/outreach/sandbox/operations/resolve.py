"""ResolveNames against the directory (and the sandbox's own mailboxes)."""

from __future__ import annotations

from ..directory import Person
from ..xml import Element, el, q, response_message, sub
from . import Context, operation


def _contact(p: Person) -> Element:
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
    if p.office:
        sub(node, "t:OfficeLocation", p.office)
    if p.last_name:
        sub(node, "t:Surname", p.last_name)
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
            mbx = sub(res, "t:Mailbox")
            sub(mbx, "t:Name", p.name)
            sub(mbx, "t:EmailAddress", p.email)
            sub(mbx, "t:RoutingType", "SMTP")
            sub(mbx, "t:MailboxType", "Mailbox")
            if full:
                res.append(_contact(p))
        msgs.append(msg)
    return resp
