"""Issue 11, items 23 and 24: the tooling a fresh clone runs. `make schema` makes its own `var/`; stopping
`make run` ends only the processes it started (not `kill 0`, which also killed whatever started make);
CI's apt-get waits for the dpkg lock; CI fails when the test database survives the run."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not shutil.which("make"), reason="needs make")
def test_make_schema_creates_var_first():
    dry = subprocess.run(
        ["make", "-n", "-W", "pyproject.toml", "schema"], cwd=ROOT, capture_output=True, text=True
    )
    lines = [line for line in dry.stdout.splitlines() if "spectacular" in line or "mkdir -p var" in line]
    assert lines and "mkdir -p var" in lines[0] and "spectacular" in lines[-1], dry.stdout


def test_make_run_stops_only_its_own_children():
    makefile = (ROOT / "Makefile").read_text()
    run = makefile.split("\nrun:")[1].split("\n\n")[0]
    assert "kill 0" not in run
    assert "kill $$(jobs -p)" in run


def test_ci_waits_for_the_dpkg_lock_and_checks_the_test_database_is_gone():
    ci = (ROOT / ".ci" / "run").read_text()
    for line in ci.splitlines():
        if "apt-get" in line and ("install" in line or "update" in line):
            assert "DPkg::Lock::Timeout" in line, line
    assert "test_lingong survived the run" in ci
