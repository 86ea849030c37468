"""The `nysan` command run in-process, as a test reads it."""

from __future__ import annotations

from service.cli import main


def nysan(capsys, *argv) -> tuple[int, str]:
    """Exit code and everything printed (standard output, then standard error)."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err
