"""`outreach sandbox`: run the local practice Exchange server and play the other side of it."""

from __future__ import annotations

import base64
import json
import mimetypes
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import click

from outreach.cli.main import Failure
from outreach.core.errors import OutreachError

DEFAULT_PORT = 8642
DEFAULT_URL = f"http://127.0.0.1:{DEFAULT_PORT}"


def _call(ctx: click.Context, action: str, **args: Any) -> Any:
    """Carry out one control action on the sandbox; exit 1 with its sentence if refused.

    The sandbox is the one --url (or $OUTREACH_SANDBOX_URL) names; else the store's
    own practice server (the config's), served or not; else one at the default address.
    """
    args = {k: v for k, v in args.items() if v is not None}
    base = (ctx.find_object(dict) or {}).get("url")
    if not base:
        data = _store_sandbox(ctx)
        if data is not None:
            from outreach.sandbox import served_from

            served = served_from(data)
            if served:
                base = served.rsplit("/EWS/", 1)[0]
            elif (data / "state.json").exists():
                return _call_here(data, action, args)
    base = base or DEFAULT_URL
    data = json.dumps({"action": action, "args": args})
    request = urllib.request.Request(  # noqa: S310 - the URL is the user's own sandbox
        base.rstrip("/") + "/sandbox/control",
        data=data.encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:  # noqa: S310
            answer = json.loads(resp.read())
    except urllib.error.HTTPError as e:
        answer = json.loads(e.read() or b"{}")
    except urllib.error.URLError as e:
        raise Failure(OutreachError(
            f"No sandbox answers at {base} ({e.reason}): start `outreach sandbox serve`, "
            "run `outreach run --once` first (it keeps the practice mailbox beside the "
            "store), or pass --url."
        )) from None
    if not answer.get("ok"):
        raise Failure(OutreachError(f"The sandbox refused {action}: {answer.get('error', '')}"))
    return answer.get("result")


def _store_sandbox(ctx: click.Context) -> Path | None:
    """Return the folder of the config's practice server, or None without a sandbox config."""
    from outreach import app
    from outreach.core.errors import UserError
    from outreach.mailbox import sandbox_folder

    try:
        settings = app.load_settings((ctx.find_root().obj or {}).get("config_path"))
    except UserError:
        return None
    if settings.mailbox.backend != "sandbox" or settings.mailbox.service_endpoint:
        return None
    return sandbox_folder(settings)


def _call_here(data: Path, action: str, args: dict[str, Any]) -> Any:
    """Carry out a control action on a practice mailbox nobody serves: load, act, save."""
    from outreach.sandbox import Sandbox
    from outreach.sandbox.operations import OperationError

    practice = Sandbox(data_dir=data)
    try:
        result = practice.controls.call(action, args)
    except (KeyError, ValueError, TypeError, OperationError) as e:
        raise Failure(
            OutreachError(f"The sandbox refused {action}: {type(e).__name__}: {e}")
        ) from None
    return json.loads(json.dumps(result, default=str))


def _out(value: Any) -> None:
    if value is None:
        click.echo("done")
    elif isinstance(value, str):
        click.echo(value)
    else:
        click.echo(json.dumps(value, indent=2))


@click.group()
@click.option(
    "--url",
    envvar="OUTREACH_SANDBOX_URL",
    default=None,
    help="Address of a running sandbox (default: the practice mailbox beside your store, "
    f"else {DEFAULT_URL}).",
)
@click.pass_context
def sandbox(ctx: click.Context, url: str | None) -> None:
    """Run and drive the local practice Exchange server.

    The control commands play the other side (send a draft as Outlook would, reply,
    out-of-office, bounce, answer an invite) on the practice mailbox beside your
    store, the one `outreach run` uses with the starter config; --url picks another.
    """
    ctx.ensure_object(dict)["url"] = url


@sandbox.command()
@click.option(
    "--port", type=int, default=DEFAULT_PORT, show_default=True, help="0 picks a free port."
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Keep the state in this directory (default: the practice mailbox beside your "
    "store, when the config uses the sandbox).",
)
@click.option(
    "--directory",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Colleagues YAML/JSON (default: the shipped example organization).",
)
@click.option("--user", default=None, help="Default mailbox owner address.")
@click.pass_context
def serve(
    ctx: click.Context, port: int, data_dir: str | None, directory: str | None, user: str | None
) -> None:
    """Serve EWS on 127.0.0.1 and print the endpoint; Ctrl-C stops."""
    from outreach.sandbox import Sandbox

    if not 0 <= port <= 65535:
        raise click.BadParameter("must be 0 to 65535 (0 picks a free port)", param_hint="--port")
    people: list[Any] = []
    own = _store_sandbox(ctx) if data_dir is None else None
    if own is not None:
        from outreach import app
        from outreach.mailbox import practice_people
        from outreach.sandbox.directory import Person

        settings = app.load_settings((ctx.find_root().obj or {}).get("config_path"))
        people = [Person.from_dict(p) for p in practice_people(settings)]
        user = user or settings.mailbox.email or settings.user.email
        data_dir = str(own)
    sb = Sandbox(port=port, data_dir=data_dir, directory=directory, user=user, people=people)
    try:
        sb.bind()
    except OSError as problem:
        raise Failure(OutreachError(
            f"Cannot serve on port {port}: {problem.strerror}; pick another with --port "
            "(0 picks a free one)."
        )) from None
    click.echo(f"EWS endpoint: {sb.url}")
    click.echo(f"Graph:        {sb.graph_url} (any bearer token)")
    click.echo(f"mailbox:      {sb.user} (any password)")
    if data_dir:
        click.echo(f"state:        {data_dir}")
    click.echo("controls:     outreach sandbox --help (they find this server)"
               if own is not None else
               f"controls:     outreach sandbox --url http://{sb.host}:{sb.port} --help")
    sb.serve_forever()


#: the sandbox's fault kinds (controls.network.FAULT_KINDS; not imported: --help stays light)
FAULT_KINDS = ("http500", "server_busy", "throttle", "unavailable", "slow", "drop", "error")

_mailbox = click.option("--mailbox", default=None, help="Mailbox address (default: the owner).")


def _item(f: Any) -> Any:
    """--id / --subject / --mailbox: which item an action works on.

    The command receives them as item_id, subject and mailbox and passes them on as they are.
    """
    f = click.option("--id", "item_id", default=None, help="Item id.")(f)
    f = click.option("--subject", default=None, help="Newest item whose subject contains this.")(f)
    return _mailbox(f)


def _run(ctx: click.Context, action: str, **args: Any) -> None:
    """Call one control action and print what it answered."""
    _out(_call(ctx, action, **args))


@sandbox.command("send-draft")
@_item
@click.option("--drop-extended-properties", is_flag=True, help="Act like a client that loses them.")
@click.pass_context
def send_draft(ctx: click.Context, drop_extended_properties: bool, **item: str | None) -> None:
    """The user presses Send on a draft in Outlook."""
    _run(ctx, "press_send", drop_extended_properties=drop_extended_properties, **item)


@sandbox.command("edit-draft")
@_item
@click.option("--new-subject", default=None)
@click.option("--body", default=None)
@click.pass_context
def edit_draft(
    ctx: click.Context, new_subject: str | None, body: str | None, **item: str | None
) -> None:
    """The user edits a draft."""
    _run(ctx, "edit_draft", new_subject=new_subject, body=body, **item)


@sandbox.command("delete-draft")
@_item
@click.option("--hard", is_flag=True, help="Delete for good instead of moving to Deleted Items.")
@click.pass_context
def delete_draft(ctx: click.Context, hard: bool, **item: str | None) -> None:
    """The user deletes a draft."""
    _run(ctx, "delete_draft", hard=hard, **item)


@sandbox.command()
@_item
@click.option("--sender", default=None, help="Who replies (default: the first recipient).")
@click.option("--body", default=None)
@click.option("--out-of-thread", is_flag=True, help="Reply as a fresh message, not in the thread.")
@click.option(
    "--attach",
    "files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file the reply carries (repeatable), e.g. an .ics invitation.",
)
@click.option(
    "--quoting",
    default=None,
    metavar="CLIENT",
    help="Quote the message under the body as this mail client does: outlook, "
    "outlook-original, outlook-html, gmail, gmail-html, apple, iphone, thunderbird, bare.",
)
@click.option(
    "--language",
    default="en",
    show_default=True,
    help="The language the client writes its quote header in (en, de, fr, es, nl, ...).",
)
@click.pass_context
def reply(
    ctx: click.Context,
    sender: str | None,
    body: str | None,
    out_of_thread: bool,
    files: tuple[Path, ...],
    quoting: str | None,
    language: str,
    **item: str | None,
) -> None:
    """A contact replies to a sent message."""
    attachments = [_attachment(f) for f in files] or None
    _run(
        ctx,
        "reply",
        sender=sender,
        body=body,
        in_thread=not out_of_thread,
        attachments=attachments,
        quoting=quoting,
        language=language,
        **item,
    )


def _attachment(path: Path) -> list[str]:
    """(file name, content type, base64 content) of a file, as the control endpoint takes it."""
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return [path.name, content_type, base64.b64encode(path.read_bytes()).decode()]


@sandbox.command("auto-reply")
@_item
@click.option("--message", default=None, help="Default: the colleague's out-of-office text.")
@click.pass_context
def auto_reply(ctx: click.Context, message: str | None, **item: str | None) -> None:
    """An out-of-office reply arrives for a sent message."""
    _run(ctx, "auto_reply", message=message, **item)


@sandbox.command()
@_item
@click.option("--recipient", default=None)
@click.pass_context
def bounce(ctx: click.Context, recipient: str | None, **item: str | None) -> None:
    """A sent message bounces (an NDR arrives)."""
    _run(ctx, "bounce", recipient=recipient, **item)


@sandbox.command()
@click.argument("response", type=click.Choice(["accept", "decline", "tentative", "propose"]))
@_item
@click.option("--attendee", default=None)
@click.option("--start", default=None, help="Proposed start (ISO 8601, with offset).")
@click.option("--end", default=None, help="Proposed end.")
@click.pass_context
def respond(
    ctx: click.Context,
    response: str,
    attendee: str | None,
    start: str | None,
    end: str | None,
    **item: str | None,
) -> None:
    """An attendee answers a meeting request."""
    _run(
        ctx,
        "respond_to_meeting",
        response=response,
        attendee=attendee,
        proposed_start=start,
        proposed_end=end,
        **item,
    )


@sandbox.command("send-meeting")
@_item
@click.pass_context
def send_meeting(ctx: click.Context, **item: str | None) -> None:
    """You press Send on a meeting whose invitations were not sent yet."""
    _run(ctx, "send_meeting", **item)


@sandbox.command("move-meeting")
@_item
@click.option("--start", required=True, help="New start (ISO 8601, with offset).")
@click.option("--end", default=None)
@click.pass_context
def move_meeting(ctx: click.Context, start: str, end: str | None, **item: str | None) -> None:
    """The organizer moves a meeting."""
    _run(ctx, "move_meeting", start=start, end=end, **item)


@sandbox.command("cancel-meeting")
@_item
@click.pass_context
def cancel_meeting(ctx: click.Context, **item: str | None) -> None:
    """The organizer cancels a meeting."""
    _run(ctx, "cancel_meeting", **item)


@sandbox.command()
@_mailbox
@click.pass_context
def inspect(ctx: click.Context, mailbox: str | None) -> None:
    """Show the mailbox, folder by folder (JSON)."""
    _run(ctx, "inspect", mailbox=mailbox)


@sandbox.command()
@click.option("--reset", is_flag=True, help="Zero the counters after printing.")
@click.option(
    "--face",
    type=click.Choice(["ews", "graph", "batched"]),
    default=None,
    help="One protocol face, or the requests inside Graph $batch requests.",
)
@click.pass_context
def requests(ctx: click.Context, reset: bool, face: str | None) -> None:
    """Requests the client made, per EWS operation and Graph route."""
    _run(ctx, "request_counts", face=face)
    if reset:
        _call(ctx, "reset_request_counts")


@sandbox.command()
@click.argument("kind", type=click.Choice([*FAULT_KINDS, "clear"]))
@click.option("--count", type=click.IntRange(min=1), default=1, show_default=True)
@click.option(
    "--operation",
    default=None,
    help="Only this operation: an EWS one (SyncFolderItems) or a Graph route "
    "('GET /mailFolders/{id}/messages/delta').",
)
@click.option(
    "--face", type=click.Choice(["ews", "graph"]), default=None, help="Only this protocol face."
)
@click.option("--back-off-ms", type=click.IntRange(min=0), default=100, show_default=True)
@click.option("--seconds", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Delay for 'slow'.")
@click.option(
    "--retry-after", default=1, show_default=True, help="Seconds, for throttle and unavailable."
)
@click.option(
    "--code",
    default=None,
    help="Code for 'error': EWS ErrorInvalidSyncStateData, Graph syncStateNotFound, ...",
)
@click.option("--status", type=int, default=None, help="HTTP status of a Graph 'error' (400).")
@click.pass_context
def fault(
    ctx: click.Context,
    kind: str,
    count: int,
    operation: str,
    face: str | None,
    back_off_ms: int,
    seconds: float,
    retry_after: int,
    code: str,
    status: int | None,
) -> None:
    """Fail the next COUNT requests (KIND 'clear' removes pending faults)."""
    if kind == "clear":
        _run(ctx, "clear_faults")
        return
    _run(
        ctx,
        "inject_fault",
        kind=kind,
        count=count,
        operation=operation,
        face=face,
        back_off_ms=back_off_ms,
        seconds=seconds,
        retry_after=retry_after,
        code=code,
        status=status,
    )


@sandbox.command("disable-ews")
@click.option("--reason", default=None, help="The X-EWS-Policy-Reason value to send.")
@click.pass_context
def disable_ews(ctx: click.Context, reason: str | None) -> None:
    """Switch EWS off as Exchange Online does: every EWS request gets HTTP 403."""
    _run(ctx, "disable_ews", reason=reason)


@sandbox.command("enable-ews")
@click.pass_context
def enable_ews(ctx: click.Context) -> None:
    """Switch EWS back on."""
    _run(ctx, "enable_ews")


@sandbox.command()
@click.pass_context
def save(ctx: click.Context) -> None:
    """Write the sandbox state to its data directory now."""
    _run(ctx, "save")


__all__ = ["sandbox"]
