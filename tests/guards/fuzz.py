"""Schemathesis (``st run``, pinned in constraints.txt) against the live schema of a served portal.

Bounded: ``LINGONG_FUZZ_EXAMPLES`` test cases per operation and phase (default 3) and ``LINGONG_FUZZ_SECONDS``
per role (default 40); ``make fuzz`` sets both higher. One worker thread (the machine has two cores, and
hypothesis' lambda introspection is not thread-safe). The run fails on any 5xx and on any answer whose
status code, content type or body the schema does not describe."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
REPORT_DIR = Path(settings.BASE_DIR) / "var" / "fuzz"


@dataclass
class FuzzResult:
    role: str
    returncode: int
    output: str

    @property
    def summary(self) -> str:
        marker = self.output.rfind("FAILURES")
        start = marker if marker >= 0 else max(0, len(self.output) - 6000)
        return self.output[start : start + 12000]


def st_command() -> str:
    candidate = Path(sys.executable).with_name("st")
    return str(candidate) if candidate.exists() else (shutil.which("st") or "st")


def run_schemathesis(
    base_url: str,
    creds,
    *,
    examples: int | None = None,
    seconds: int | None = None,
    include_path: str | None = None,
    include_method: str | None = None,
) -> FuzzResult:
    examples = examples or int(os.environ.get("LINGONG_FUZZ_EXAMPLES", "3"))
    seconds = seconds or int(os.environ.get("LINGONG_FUZZ_SECONDS", "40"))
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    command = [
        st_command(),
        "run",
        f"{base_url}/api/schema/",
        "--checks",
        CHECKS,
        "--max-examples",
        str(examples),
        "--max-time",
        str(seconds),
        "--workers",
        "1",
        "--no-shrink",
        "--request-timeout",
        "30",
        "--output-truncate",
        "true",
    ]
    if seed := os.environ.get("LINGONG_FUZZ_SEED"):
        command += ["--seed", seed]
    for name, value in creds.headers.items():
        command += ["--header", f"{name}: {value}"]
    if creds.cookies:
        command += ["--header", "Cookie: " + "; ".join(f"{k}={v}" for k, v in creds.cookies.items())]
    if include_path:
        command += ["--include-path", include_path]
    if include_method:
        command += ["--include-method", include_method]
    completed = subprocess.run(
        command,
        cwd=REPORT_DIR,
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        env={**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"},
    )
    output = completed.stdout + completed.stderr
    (REPORT_DIR / f"{creds.role}.txt").write_text(output, encoding="utf-8")
    return FuzzResult(creds.role, completed.returncode, output)
