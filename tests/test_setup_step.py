"""scripts/step: how `make setup` says what it does and keeps the chatter out of the way."""

from __future__ import annotations

import subprocess
from pathlib import Path

STEP = Path(__file__).resolve().parent.parent / "scripts" / "step"


def _step(tmp_path: Path, script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(STEP), "Saying hello", "sh", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_step_says_what_and_how_long_and_keeps_its_output_in_the_log(tmp_path: Path) -> None:
    done = _step(tmp_path, "echo 'WARNING: noisy'; echo err >&2")
    assert done.returncode == 0
    assert done.stdout.startswith("-> Saying hello ...\n")
    assert "done in" in done.stdout
    assert "noisy" not in done.stdout + done.stderr
    log = (tmp_path / "build" / "setup.log").read_text()
    assert "== Saying hello" in log and "WARNING: noisy" in log and "err" in log


def test_a_failed_step_shows_its_output_and_keeps_its_status(tmp_path: Path) -> None:
    failed = _step(tmp_path, "echo 'the reason it broke'; exit 3")
    assert failed.returncode == 3
    assert "FAILED after" in failed.stderr
    assert "the reason it broke" in failed.stderr
    assert "build/setup.log" in failed.stderr
