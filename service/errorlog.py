"""Exceptions in logs by type and place only: an exception's message may quote the data that caused
it (``invalid literal for int() with base 10: 'Иванов'``), and personal data never goes in a log."""

from __future__ import annotations

import sys


def where(err: BaseException) -> str:
    """``ValueError at forms/fields/dates.py:42 (parse)``: the type and the innermost frame, never the message."""
    tb = err.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return type(err).__name__
    code = tb.tb_frame.f_code
    filename = code.co_filename.replace("\\", "/")
    for marker in ("/site-packages/", "/forms/", "/service/"):  # the package's path, not the machine's
        _head, found, tail = filename.rpartition(marker)
        if found:
            filename = tail if marker == "/site-packages/" else marker.strip("/") + "/" + tail
            break
    return f"{type(err).__name__} at {filename}:{tb.tb_lineno} ({code.co_name})"


def current() -> str:
    """``where`` of the exception being handled."""
    err = sys.exc_info()[1]
    return where(err) if err is not None else "no exception"
