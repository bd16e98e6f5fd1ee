"""Export everything the store holds, and import such an export into an empty store.

Two shapes, both lossless, so a user can move machines or leave the tool:

- JSON: one document ``{"format": "outreach-export", "version": 1, "exported_at",
  "contacts", "interviews", "messages", "events", "sync"}``, each record as
  ``to_dict`` writes it.
- CSV: one file per table (contacts.csv, interviews.csv, messages.csv,
  events.csv, sync.csv) in a folder or a .zip. Text fields are written as they
  are; numbers, booleans, lists and mappings (answers, fit, referrals, history,
  slots, event data) as JSON text; an empty cell in an optional field is "none",
  and an empty string there is written ``""``.

Import refuses a store that already holds anything: merging two campaigns
(duplicate people, two event histories) is not designed, and refusing keeps a
store from being half-overwritten. ``dump``/``load`` are pure; ``write_*`` and
``read_path`` do the file I/O.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import types
import typing
import zipfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from outreach.core import files
from outreach.core.errors import UserError
from outreach.core.model import Contact, Event, Interview, Message, State

FORMAT = "outreach-export"
VERSION = 1
#: table name -> record type, in the order they are written
TABLES: dict[str, type] = {
    "contacts": Contact,
    "interviews": Interview,
    "messages": Message,
    "events": Event,
}


@dataclasses.dataclass
class Export:
    """What an export holds: the state's tables and the whole event log."""

    state: State
    events: list[Event]


def dump(state: State, events: list[Event], now: datetime) -> dict[str, Any]:
    """Return the export document of ``state`` and its event log."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": now.isoformat(),
        "contacts": [c.to_dict() for c in state.contacts.values()],
        "interviews": [i.to_dict() for i in state.interviews.values()],
        "messages": [m.to_dict() for m in state.messages.values()],
        "events": [e.to_dict() for e in events],
        "sync": dict(state.sync),
    }


def load(document: Any, source: str) -> Export:
    """Given an export document, return its records. Raise UserError naming what is wrong."""
    if not isinstance(document, Mapping) or document.get("format") != FORMAT:
        raise UserError(f'{source} is not an outreach export (no "format": "{FORMAT}").')
    if document.get("version") != VERSION:
        raise UserError(
            f"{source} is export version {document.get('version')!r}; this outreach reads "
            f"version {VERSION}."
        )
    problems: list[str] = []
    records: dict[str, list[Any]] = {}
    for name, kind in TABLES.items():
        records[name] = []
        for number, item in enumerate(document.get(name) or [], start=1):
            try:
                records[name].append(kind.from_dict(item))  # type: ignore[attr-defined]
            except (TypeError, ValueError, KeyError, AttributeError) as bad:
                problems.append(f"{source}: {name} record {number}: {bad}")
    sync = document.get("sync") or {}
    if not isinstance(sync, Mapping):
        problems.append(f"{source}: sync: expected a mapping")
        sync = {}
    for name in ("contacts", "interviews", "messages", "events"):
        ids = [r.id for r in records[name]]
        if len(ids) != len(set(ids)):
            problems.append(f"{source}: {name}: the same id appears twice")
    if problems:
        raise UserError(f"{source} cannot be imported:", problems)
    state = State(
        contacts={c.id: c for c in records["contacts"]},
        interviews={i.id: i for i in records["interviews"]},
        messages={m.id: m for m in records["messages"]},
        sync=dict(sync),
    )
    return Export(state, records["events"])


# ---------------------------------------------------------------- CSV


def _kinds(cls: type) -> dict[str, tuple[bool, bool]]:
    """Return field -> (written as plain text, may be None) for a record type."""
    hints = typing.get_type_hints(cls)
    result = {}
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        union = typing.get_origin(hint) in (typing.Union, types.UnionType)
        args = typing.get_args(hint) if union else (hint,)
        optional = type(None) in args
        concrete = [a for a in args if a is not type(None)]
        plain = len(concrete) == 1 and (
            concrete[0] is str
            or concrete[0] is datetime
            or (isinstance(concrete[0], type) and issubclass(concrete[0], str))
        )
        result[f.name] = (plain, optional)
    return result


def _cell(value: Any, plain: bool, optional: bool) -> str:
    if value is None:
        return ""
    if plain:
        return '""' if optional and value == "" else str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


def _uncell(text: str, plain: bool, optional: bool) -> Any:
    if optional and text == "":
        return None
    if plain:
        return "" if optional and text == '""' else text
    return json.loads(text)


def csv_files(document: Mapping[str, Any]) -> dict[str, str]:
    """Return file name -> CSV text for an export document."""
    files = {}
    for name, kind in TABLES.items():
        kinds = _kinds(kind)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(list(kinds))
        for record in document[name]:
            writer.writerow([_cell(record.get(f), *kinds[f]) for f in kinds])
        files[f"{name}.csv"] = buffer.getvalue()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["key", "value"])
    for key, value in document["sync"].items():
        writer.writerow([key, json.dumps(value, ensure_ascii=False)])
    files["sync.csv"] = buffer.getvalue()
    files["export.json"] = json.dumps(
        {k: document[k] for k in ("format", "version", "exported_at")}, indent=2
    )
    return files


def from_csv_files(files: Mapping[str, str], source: str) -> dict[str, Any]:
    """Given file name -> CSV text, return the export document. Raise UserError if bad."""
    if "export.json" not in files:
        raise UserError(f"{source} is not an outreach CSV export (no export.json in it).")
    try:
        document: dict[str, Any] = json.loads(files["export.json"])
    except ValueError as bad:
        raise UserError(f"{source}/export.json: {bad}") from None
    problems = []
    for name, kind in TABLES.items():
        kinds = _kinds(kind)
        document[name] = []
        reader = csv.reader(io.StringIO(files.get(f"{name}.csv", "")))
        header = next(reader, [])
        unknown = [h for h in header if h not in kinds]
        if unknown:
            problems.append(f"{source}/{name}.csv: unknown columns {', '.join(unknown)}")
            continue
        for line, row in enumerate(reader, start=2):
            try:
                document[name].append(
                    {h: _uncell(v, *kinds[h]) for h, v in zip(header, row, strict=True)}
                )
            except ValueError as bad:
                problems.append(f"{source}/{name}.csv line {line}: {bad}")
    document["sync"] = {}
    reader = csv.reader(io.StringIO(files.get("sync.csv", "key,value\n")))
    next(reader, None)
    for line, row in enumerate(reader, start=2):
        try:
            key, value = row
            document["sync"][key] = json.loads(value)
        except ValueError as bad:
            problems.append(f"{source}/sync.csv line {line}: {bad}")
    if problems:
        raise UserError(f"{source} cannot be imported:", problems)
    return document


# ---------------------------------------------------------------- files


def write(document: Mapping[str, Any], path: Path, fmt: str,
          option: str = "export --output") -> None:
    """Write the export to ``path``: json (a file), csv (a folder, or a .zip if so named).

    Each file appears whole or not at all, owner-only; raise UserError naming
    ``option`` and the path for a missing folder, no permission, a full disk.
    """
    if fmt == "json":
        files.write(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n", option)
        return
    tables = csv_files(document)
    if path.suffix.lower() == ".zip":
        write_zip(path, tables, option)
    else:
        write_folder(path, tables, option)


def write_zip(path: Path, tables: Mapping[str, str], option: str) -> None:
    """Write file name -> text as one .zip at ``path`` (whole or not at all)."""

    def fill(out: Any) -> None:
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, text in tables.items():
                archive.writestr(name, text)

    files.write_with(path, fill, option)


def write_folder(path: Path, tables: Mapping[str, str], option: str) -> None:
    """Write file name -> text into the folder ``path`` (created owner-only), never over files."""
    files.private_folder(path, option)
    clash = [n for n in tables if (path / n).exists()]
    if clash:
        raise UserError(f"{option} {path}: it already holds {', '.join(clash)}; pick a new "
                        "folder.")
    for name, text in tables.items():
        files.write(path / name, text, option)


def read_path(path: Path, option: str = "import") -> Export:
    """Read an export from a .json file, a .zip or a folder of CSV files."""
    source = str(path)
    try:
        if path.is_dir():
            found = {p.name: files.read_text(p, option) for p in path.iterdir() if p.is_file()}
            return load(from_csv_files(found, source), source)
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                found = {n: archive.read(n).decode("utf-8") for n in archive.namelist()}
            return load(from_csv_files(found, source), source)
        text = files.read_text(path, option)
    except OSError as failure:
        raise files.problem(option, path, failure, "read") from None
    except (UnicodeDecodeError, zipfile.BadZipFile, zipfile.LargeZipFile) as bad:
        raise UserError(f"{option} {source}: cannot be read: {bad}.") from None
    if not text.strip():
        raise UserError(f"{option} {source}: the file is empty; nothing was imported.")
    try:
        document = json.loads(text)
    except ValueError as bad:
        raise UserError(f"{source} is not valid JSON: {bad}") from None
    return load(document, source)


def is_empty(state: State, events: list[Event]) -> bool:
    """True when a store holds nothing at all (the only kind import writes into)."""
    return not (state.contacts or state.interviews or state.messages or state.sync or events)
