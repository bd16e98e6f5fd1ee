"""GetMailTips: a colleague's out-of-office state and message, invalid and external recipients."""

from __future__ import annotations

from ..xml import Element, el, q, response_message, sub
from .base import Context, operation


@operation("GetMailTips")
def get_mail_tips(ctx: Context, req: Element) -> Element:
    now = ctx.state.clock()
    resp = el("m:GetMailTipsResponse")
    resp.set("ResponseClass", "Success")
    sub(resp, "m:ResponseCode", "NoError")
    msgs = sub(resp, "m:ResponseMessages")
    sender = ctx.mailbox().address
    org_domain = sender.split("@")[-1]
    for mbx in req.find(q("m:Recipients")):
        address = (mbx.findtext(q("t:EmailAddress")) or "").lower()
        person = ctx.state.directory.get(address)
        internal = address.split("@")[-1] == org_domain
        msg = response_message("m:MailTipsResponseMessageType")
        tips = sub(msg, "m:MailTips")
        r = sub(tips, "t:RecipientAddress")
        sub(r, "t:EmailAddress", address)
        sub(r, "t:RoutingType", "SMTP")
        sub(tips, "t:PendingMailTips")
        if person is not None:
            oof = sub(tips, "t:OutOfOffice")
            reply = sub(oof, "t:ReplyBody")
            sub(reply, "t:Message", person.oof.get("message", "") if person.oof_active(now) else "")
        sub(tips, "t:MailboxFull", False)
        sub(tips, "t:CustomMailTip", "")
        sub(tips, "t:TotalMemberCount", 1)
        sub(tips, "t:ExternalMemberCount", 0 if internal else 1)
        sub(tips, "t:DeliveryRestricted", False)
        sub(tips, "t:IsModerated", False)
        sub(
            tips,
            "t:InvalidRecipient",
            internal and person is None and address not in ctx.state.mailboxes,
        )
        msgs.append(msg)
    return resp
