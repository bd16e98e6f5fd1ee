"""Shared fixtures: an isolated home, a config file on disk, its settings and store; every
Graph exchange a sandbox answers in any test is checked against Microsoft's CSDL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from outreach.config import loader
from outreach.config.settings import Settings
from outreach.sandbox.graph import exchanges
from outreach.store.db import Store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the XDG folders at a temporary home so no test touches the real one."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.delenv("OUTREACH_CONFIG", raising=False)
    return home


@pytest.fixture(autouse=True)
def _graph_exchanges_checked() -> Iterator[list[exchanges.Exchange]]:
    """Every Graph request a sandbox receives and every answer it gives in the test must
    match the CSDL (tests/graphschema.py); a mismatch fails the test at teardown."""
    seen: list[exchanges.Exchange] = []
    exchanges.WATCHERS.append(seen.append)
    try:
        yield seen
    finally:
        exchanges.WATCHERS.remove(seen.append)
    if not seen:
        return
    import graphschema

    if not graphschema.CSDL.exists():
        pytest.skip(f"Graph CSDL not found at {graphschema.CSDL} (set OUTREACH_GRAPH_SCHEMA)")
    problems = [
        p
        for x in seen
        for p in graphschema.check_exchange(
            x.method, x.path, x.request, x.status, x.response, x.query
        )
    ]
    assert not problems, "Graph exchanges that do not match the CSDL:\n" + "\n".join(problems)


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """A valid config (the example, sandbox backend) whose store lives in tmp_path."""
    path = tmp_path / "config.yaml"
    path.write_text(loader.render_example({"paths.store": str(tmp_path / "store.json")}),
                    encoding="utf-8")
    return path


@pytest.fixture
def settings(config_file: Path) -> Settings:
    return loader.load(config_file)


@pytest.fixture
def store(settings: Settings) -> Store:
    return Store(settings.paths.store)


@pytest.fixture
def now() -> datetime:
    """A fixed, time-zone aware clock reading."""
    return datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
