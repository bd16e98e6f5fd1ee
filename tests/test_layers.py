"""The layering of src/outreach holds: arrows point down.

The rules are ``[tool.importlinter]`` in pyproject.toml (import-linter reads them);
each package's ``__init__`` says in words what it may import.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

import outreach

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(outreach.__file__).resolve().parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(package_parent: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter with the project's contracts on the ``outreach`` in ``package_parent``."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        capture_output=True, text=True, timeout=120, cwd=package_parent,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(package_parent)},
    )  # fmt: skip


def cycles(graph: grimp.ImportGraph) -> set[tuple[str, str]]:
    """Return every pair of modules that import each other, directly or through others."""
    return {
        tuple(sorted((module, imported)))
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if graph.chain_exists(importer=imported, imported=module)
    }


def test_nothing_imports_in_a_circle() -> None:
    found = cycles(grimp.build_graph("outreach"))
    assert not found, "\n".join(f"{a} <-> {b}" for a, b in sorted(found))


def test_a_circle_through_a_third_module_is_found() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")]:
        graph.add_import(importer=importer, imported=imported)
    assert cycles(graph) == {("p.a", "p.b"), ("p.b", "p.c"), ("p.a", "p.c")}


def test_arrows_point_down() -> None:
    done = lint_imports(PACKAGE.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(("module", "line", "broken"), [
    ("core/model.py", "from outreach.campaign import service",
     "outreach.core is not allowed to import outreach.campaign"),
    ("engine/plan.py", "from outreach.mailbox import ews",
     "outreach.engine is not allowed to import outreach.mailbox"),
    ("sandbox/state.py", "from outreach.core import model",
     "outreach.sandbox is not allowed to import outreach.core"),
])  # fmt: skip
def test_a_lower_module_importing_a_higher_one_breaks_the_rules(
    tmp_path: Path, module: str, line: str, broken: str
) -> None:
    copy = tmp_path / "outreach"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "templates"))
    target = copy / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n\ndef _late():\n    {line}\n",
                      encoding="utf-8")  # fmt: skip
    done = lint_imports(tmp_path)
    assert done.returncode == 1, done.stdout
    assert broken in done.stdout
