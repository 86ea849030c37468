"""The cyclic garbage collector paused while a document is made.

A long journal allocates millions of small objects that all live until the document is written;
the collector would walk them again and again (a third of a 4,000-row render). Rendering creates
little cyclic garbage, and what there is is collected as soon as the pause ends. A count keeps the
collector paused while any thread is still rendering.

The collector is the whole program's, so ``forms.render`` never pauses it: a program that owns its
process opts in around its renders (the service's render gate, ``nysan render``).
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager

_lock = threading.Lock()
_active = 0
_was_enabled = True


@contextmanager
def gc_paused():
    global _active, _was_enabled
    with _lock:
        if _active == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _was_enabled:
                gc.enable()
