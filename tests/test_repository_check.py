"""`nysan forms check` over the repository's own data, as CI and the before-stop hook run it (every
form, including those still being written; the focused tests of each form say more of a failure)."""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys

from support.cases import ROOT

HOOK_TIMEOUT = 45  # seconds the before-stop hook allows


def test_repository_passes_forms_check():
    command = [shutil.which("nysan")] if shutil.which("nysan") else [sys.executable, "-m", "service"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(
        command + ["forms", "check", "--data-dir", str(ROOT)], capture_output=True, text=True, timeout=HOOK_TIMEOUT * 3
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK: every check holds")
    # CPU seconds, not wall time: the machine is shared, and the hook's limit must hold with room to spare.
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert cpu < HOOK_TIMEOUT / 3, f"nysan forms check used {cpu:.1f} s of CPU; the hook allows {HOOK_TIMEOUT} s"
