"""The store never loses history: cut files, torn lines, wrong shapes, full and read-only disks.

Each fault is made the way it happens (``: > store.json``, a crash mid-append, a
tmpfs that fills up or is remounted read-only, a user without permission), and
each test shows the history intact afterwards.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from outreach.core.errors import StoreError
from outreach.store.db import Store
from storehelp import add_contact as add
from storehelp import on_disk  # tests/ is on the path


def texts(store: Store) -> list[str]:
    return [e.text for e in store.events()]


@pytest.fixture
def filled(store: Store, now: datetime) -> Store:
    add(store, now, "Robin Roe")
    add(store, now, "Sam Sample")
    return store


def refused_unchanged(store: Store, now: datetime, *phrases: str) -> StoreError:
    """Try a write; check it is refused with ``phrases`` and that no byte changed."""
    before = on_disk(store)
    with pytest.raises(StoreError) as caught:
        add(store, now, "Kim Late")
    message = str(caught.value)
    assert any(str(path) in message
               for path in (store.path, store.events_path, store.journal_path)), message
    for phrase in phrases:
        assert phrase in message
    assert on_disk(store) == before
    return caught.value


def test_an_emptied_store_is_refused_not_started_afresh(filled: Store, now: datetime) -> None:
    filled.path.write_bytes(b"")  # : > store.json
    refused_unchanged(filled, now, "the file is empty", "restore the store from a backup")
    with pytest.raises(StoreError):
        filled.read()
    filled.path.unlink()  # what the sentence says to do: move it aside
    add(filled, now, "Kim Late")
    kept = filled.events_path.with_name("store.events.jsonl.1").read_text()
    assert "Added Robin Roe." in kept and "Added Sam Sample." in kept


@pytest.mark.parametrize("cut", [1, 10, 0.5, -1])
def test_a_truncated_store_is_refused(filled: Store, now: datetime, cut: float) -> None:
    data = filled.path.read_bytes()
    size = int(len(data) * cut) if isinstance(cut, float) else cut % len(data)
    filled.path.write_bytes(data[:size])
    refused_unchanged(filled, now, "cut short")
    assert texts(Store(filled.path.with_name("none.json"))) == []


@pytest.mark.parametrize(
    ("document", "phrase"),
    [
        ([], "the top level is list"),
        ("store", "the top level is str"),
        (42, "the top level is int"),
        (None, "the top level is NoneType"),
        ({}, "no 'meta' table"),
        ({"contacts": {}}, "no 'meta' table"),
        ({"meta": []}, "'meta' is not a JSON object"),
        ({"meta": {"1": {}}, "contacts": []}, "'contacts' is not a JSON object"),
        ({"meta": {"1": {}}, "contacts": {"1": "Robin"}}, "'contacts' is not a JSON object"),
        ({"meta": {"1": {"events_bytes": "lots"}}}, "meta.events_bytes is 'lots'"),
        ({"meta": {"1": {"events_bytes": -5}}}, "meta.events_bytes is -5"),
        ({"meta": {"1": {"schema_version": True}}}, "meta.schema_version is True"),
        ({"meta": {"1": {}}, "sync": {"1": {"value": 1}}}, "lacks its key"),
    ],
)
def test_a_store_of_the_wrong_shape_is_refused(filled: Store, now: datetime, document: object,
                                               phrase: str) -> None:
    filled.path.write_text(json.dumps(document), encoding="utf-8")
    refused_unchanged(filled, now, phrase)


def test_a_torn_last_line_is_set_aside_before_appending(filled: Store, now: datetime) -> None:
    torn = b'{"at":"2026-03-02T10:00:00+01:00","kind":"add'
    with open(filled.events_path, "ab") as log:
        log.write(torn)  # a crash mid-append
    add(filled, now, "Kim Late")
    assert texts(filled) == ["Added Robin Roe.", "Added Sam Sample.", "Added Kim Late."]
    aside = filled.events_path.with_name("store.events.jsonl.torn")
    assert aside.read_bytes() == torn + b"\n"
    assert oct(aside.stat().st_mode & 0o777) == "0o600"
    assert all(json.loads(line) for line in filled.events_path.read_bytes().splitlines())


def test_a_log_cut_inside_a_line_keeps_that_line_aside(filled: Store, now: datetime) -> None:
    """The log lost its end (restored from an older copy): the new event starts a clean line."""
    data = filled.events_path.read_bytes()
    filled.events_path.write_bytes(data[:-7])
    add(filled, now, "Kim Late")
    assert texts(filled) == ["Added Robin Roe.", "Added Kim Late."]
    aside = filled.events_path.with_name("store.events.jsonl.torn").read_bytes()
    assert aside.startswith(b'{"') and b"Added Sam" in aside
    assert all(json.loads(line) for line in filled.events_path.read_bytes().splitlines())


# ------------------------------------------------------------------ real file systems


@contextlib.contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """Mount a small tmpfs at ``where`` (root only); skip the test where that is not allowed."""
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs",
                              str(where)], capture_output=True)  # fmt: skip
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(folder: Path) -> None:
    """Write files until the file system is full, to the last byte."""
    for name, chunk in (("filler", 4096), ("filler2", 1)):
        with open(folder / name, "wb", buffering=0) as out, contextlib.suppress(OSError):
            while True:
                out.write(b"\0" * chunk)


def test_a_full_disk_changes_nothing_and_says_so(tmp_path: Path, now: datetime) -> None:
    with tmpfs(tmp_path / "disk", "256k") as disk:
        store = Store(disk / "store.json")
        add(store, now, "Robin Roe")
        fill(disk)
        error = refused_unchanged(store, now, "the disk is full", "Nothing was changed")
        assert "Traceback" not in str(error)
        assert not list(disk.glob(".store.json.*.tmp"))
        for name in ("filler", "filler2"):
            (disk / name).unlink(missing_ok=True)
        add(store, now, "Sam Sample")
        assert texts(store) == ["Added Robin Roe.", "Added Sam Sample."]


def test_a_read_only_file_system_changes_nothing(tmp_path: Path, now: datetime) -> None:
    with tmpfs(tmp_path / "disk", "1m") as disk:
        store = Store(disk / "store.json")
        add(store, now, "Robin Roe")
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        refused_unchanged(store, now, "read-only", "paths.store")
        assert [c.name for c in store.read().contacts.values()] == ["Robin Roe"]
        subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
        add(store, now, "Sam Sample")
        assert texts(store) == ["Added Robin Roe.", "Added Sam Sample."]


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder others may read (pytest's own are owner-only), removed afterwards."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="outreach-perm-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_no_permission_is_a_sentence(shared_folder: Path, now: datetime) -> None:
    """Another user's store, through the real command (as root: the command runs as nobody)."""
    from outreach.config import loader as configuration

    store = Store(shared_folder / "data" / "store.json")
    add(store, now, "Robin Roe")
    config = shared_folder / "config.yaml"
    config.write_text(configuration.render_example({"paths.store": str(store.path)}))
    os.chmod(store.path.parent, 0o755)
    for path in [config, *store.path.parent.iterdir()]:
        os.chmod(path, 0o644)
    before = on_disk(store)
    as_other: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("setpriv is needed to run as another user")
        as_other = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    else:
        os.chmod(store.path.parent, 0o555)
    env = {**os.environ, "HOME": str(shared_folder), "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([*as_other, sys.executable, "-m", "outreach", "--config", str(config),
                           "contacts", "add", "--name", "Kim Late", "--email", "kim@example.com"],
                          capture_output=True, text=True, env=env, timeout=60)  # fmt: skip
    os.chmod(store.path.parent, 0o755)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("outreach: The store ")
    assert "permission denied" in done.stderr and "Traceback" not in done.stderr
    assert on_disk(store) == before


HOLDER = """
import sys, time
from outreach.store.db import Store
store = Store(sys.argv[1])
with store.lock():
    print("held", flush=True)
    time.sleep(5)
"""


def test_a_busy_store_says_whom_it_waits_for(filled: Store, now: datetime,
                                            caplog: pytest.LogCaptureFixture) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(filled.path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        before = filled.path.read_bytes()
        with caplog.at_level("WARNING", logger="outreach.store.db"), \
                pytest.raises(StoreError) as caught:
            add(Store(filled.path, lock_timeout=0.3), now, "Kim Late")
        waited = [r.getMessage() for r in caplog.records]
        assert any(f"for process {holder.pid}" in m and "writing to the store" in m
                   for m in waited), waited
        assert f"process {holder.pid}" in str(caught.value) and "try again" in str(caught.value)
        assert filled.path.read_bytes() == before
    finally:
        holder.kill()
        holder.wait()


def test_forget_on_a_read_only_disk_is_a_sentence(tmp_path: Path, now: datetime) -> None:
    with tmpfs(tmp_path / "disk", "1m") as disk:
        store = Store(disk / "store.json")
        add(store, now, "Robin Roe")
        robin = next(iter(store.read().contacts))
        history = store.events_path.read_bytes()
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        with pytest.raises(StoreError, match="read-only"):
            store.drop_events(robin)
        assert store.events_path.read_bytes() == history
        subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)


def test_a_full_disk_while_compacting_keeps_the_change_in_the_journal(
        tmp_path: Path, now: datetime, caplog: pytest.LogCaptureFixture) -> None:
    """Folding the journal in needs room for a whole new file; without it the change that
    tipped the journal over is still acknowledged, from the journal, and the user is told."""
    from outreach.store import journal

    with tmpfs(tmp_path / "disk", "256k") as disk:
        store = Store(disk / "store.json")
        add(store, now, "Robin Roe")
        add(store, now, "Sam Sample")
        fill(disk)  # the journal and the history still have room in their last page
        file_before = store.path.read_bytes()
        with caplog.at_level("WARNING"), pytest.MonkeyPatch.context() as patch:
            patch.setattr(journal, "COMPACT_BYTES", 0)
            add(store, now, "Kim Late")
        assert store.path.read_bytes() == file_before
        assert any("the disk is full" in r.getMessage() and "saved in" in r.getMessage()
                   for r in caplog.records)
        assert not list(disk.glob(".store.json.*.tmp"))
        assert texts(Store(store.path)) == ["Added Robin Roe.", "Added Sam Sample.",
                                            "Added Kim Late."]
        for name in ("filler", "filler2"):
            (disk / name).unlink(missing_ok=True)
        assert store.compact()
        assert "Kim Late" in store.path.read_text()
        assert store.journal_path.read_bytes() == b""


def test_compacting_on_a_read_only_disk_is_a_sentence(tmp_path: Path, now: datetime) -> None:
    with tmpfs(tmp_path / "disk", "1m") as disk:
        store = Store(disk / "store.json")
        add(store, now, "Robin Roe")
        add(store, now, "Sam Sample")
        before = on_disk(store)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        try:
            with pytest.raises(StoreError, match="read-only") as caught:
                Store(store.path).compact()
            assert str(store.path) in str(caught.value)
            assert on_disk(store) == before
            assert texts(Store(store.path)) == ["Added Robin Roe.", "Added Sam Sample."]
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
