"""After full demo runs, nothing the run wrote holds the citizen's resident number or
fingerprint template: not the journal (nor its -wal and -shm files), the outbox, the logs, the
simulators' output, the temporary directory, or what the run printed."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.backend.subjects import SUBJECTS
from sim.subjects_fingers import template_for

#: Telemetry on, broker away: every event stays in the outbox file, which is then scanned too.
UNREACHABLE_BROKER = "mqtt://127.0.0.1:9"


def forbidden_forms(subject: str) -> list[bytes]:
    rrn = SUBJECTS[subject].rrn
    template = template_for(subject)
    return [rrn.encode(), rrn.replace("-", "").encode(), template, template.hex().encode(),
            template.hex().upper().encode(), base64.b64encode(template),
            base64.urlsafe_b64encode(template), base64.b64encode(template).rstrip(b"=")]


@pytest.mark.parametrize(("subject", "document"), [
    ("hong-gildong", "resident-copy"), ("kim-minji", "resident-abstract")])
def test_no_file_of_a_demo_run_holds_personal_data(tmp_path: Path, subject: str,
                                                   document: str) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    out = tmp_path / "out"
    env = {**os.environ, "TMPDIR": str(temp)}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("kiosk")), "demo", "--headless", "--subject",
         subject, "--document", document, "--log-level", "DEBUG", "--out", str(out),
         "--broker", UNREACHABLE_BROKER],
        capture_output=True, env=env, timeout=240, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["outcome"] == "completed", summary
    written = [path for root in (out, temp) for path in root.rglob("*") if path.is_file()]
    names = {path.name for path in written}
    assert {"journal.sqlite", "outbox.sqlite"} <= names, sorted(names)
    assert any(name.endswith(".log") for name in names)
    assert any(name.endswith(".pdf") for name in names)
    forms = forbidden_forms(subject)
    leaks = [(path.name, form[:12]) for path in written for form in forms
             if form in path.read_bytes()]
    assert leaks == []
    printed = result.stdout + result.stderr
    assert not [form[:12] for form in forms if form in printed]
