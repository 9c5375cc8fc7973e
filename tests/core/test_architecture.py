"""The shape every app shares (DESIGN.md, ADR 0012): the same rooms, no ``*_<suffix>.py`` sibling of a room,
rooms that outgrow ~600 lines as packages split by entity, and the import direction enforced by
import-linter — which passes on the code as it is and fails when a module adds a forbidden import or an
import circle inside an app."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The apps of DESIGN.md that exist so far, in the direction of imports (LOCAL_APPS).
APPS = ("core", "accounts", "markets", "jobs", "work", "labour_stats")
ROOMS = (
    "models",
    "choices",
    "services",
    "selectors",
    "filtersets",
    "permissions",
    "tasks",
    "admin",
    "views",
    "forms",
    "urls",
)
ROOM_LINES = 650  # "a room that outgrows ~600 lines becomes a package of the same name split by entity"


def _room(app: str, name: str) -> Path | None:
    for candidate in (ROOT / app / f"{name}.py", ROOT / app / name / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


@pytest.mark.parametrize("app", APPS)
def test_every_app_has_every_room(app):
    missing = [name for name in ROOMS if _room(app, name) is None]
    assert not missing, f"{app} lacks rooms: {missing}"
    api = ROOT / app / "api"
    assert (api / "__init__.py").exists() and (api / "views.py").exists() or (api / "views").is_dir(), app
    assert (api / "serializers.py").exists() or (api / "serializers").is_dir(), app


@pytest.mark.parametrize("app", APPS)
def test_no_suffix_sibling_of_a_room_and_no_room_past_its_size(app):
    base = ROOT / app
    siblings = sorted(
        p.name
        for p in base.rglob("*.py")
        if any(p.stem.startswith(f"{room}_") for room in (*ROOMS, "api")) and "migrations" not in p.parts
    )
    assert not siblings, f"{app}: split a room into a package, never a sibling: {siblings}"
    for name in (*ROOMS, "api/views", "api/serializers"):
        path = base / f"{name}.py"
        if path.exists():
            lines = len(path.read_text().splitlines())
            assert lines <= ROOM_LINES, f"{path.relative_to(ROOT)} has {lines} lines: make it a package"


def _lint_imports() -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(exe), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )


@pytest.fixture
def probe():
    """Write a throwaway module into an app for one lint run; always removed."""
    written: list[Path] = []

    def write(relative: str, source: str) -> None:
        path = ROOT / relative
        path.write_text(source)
        written.append(path)

    yield write
    for path in written:
        path.unlink(missing_ok=True)


def test_import_contracts_are_kept():
    result = _lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_a_module_importing_an_app_to_its_right_breaks_the_layers_contract(probe):
    probe("jobs/_probe_forbidden.py", "from work.models import WorkOrder  # noqa: F401\n")
    result = _lint_imports()
    assert result.returncode != 0
    assert "jobs._probe_forbidden -> work.models" in result.stdout
    assert "Apps import only from apps to their left" in result.stdout and "BROKEN" in result.stdout


def test_an_import_circle_inside_an_app_breaks_the_cycle_contract(probe):
    probe("markets/_probe_a.py", "def f():\n    from . import _probe_b  # noqa: F401\n")
    probe("markets/_probe_b.py", "from . import _probe_a  # noqa: F401\n")
    result = _lint_imports()
    assert result.returncode != 0
    assert "No import cycles inside an app" in result.stdout and "BROKEN" in result.stdout
