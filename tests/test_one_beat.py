"""One beat (ADR 0013): ``make worker`` runs workers only, ``make beat`` the one scheduler; ``make run`` keeps
its embedded worker with beat (the filesystem broker, one process)."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def recipe(target: str) -> str:
    out = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "-o", "install", target],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_make_worker_runs_no_beat():
    lines = [line for line in recipe("worker").splitlines() if "celery" in line]
    assert len(lines) == 1 and " worker" in lines[0] and "--beat" not in lines[0] and " -B" not in lines[0]


def test_make_beat_runs_the_scheduler_only():
    lines = [line for line in recipe("beat").splitlines() if "celery" in line]
    assert len(lines) == 1 and lines[0].split("config.celery_app", 1)[1].split()[0] == "beat"


def test_make_run_keeps_its_embedded_worker_with_beat():
    text = (ROOT / "Makefile").read_text()
    run = text.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "worker --beat --pool=solo" in run
