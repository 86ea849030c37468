"""Issues stored together: while one thread of a process is in the number's transaction, the
issues of the other threads that reach it wait, and the next of them stores all that waited in one
transaction — one hold of the counter's lock and one commit for all of them instead of one each.

Why: the counter's row lock is held until the commit is on disk (PostgreSQL's WAL flush, ~2 ms
here), and on a busy machine each step inside it also waits for a core; issuers of every process
and replica take turns there, so that turn, not the CPU, limited issuing (~120/s through two
replicas on two cores, the cores not full). A turn now stores a whole queue. Every issue is still
answered only after the transaction holding it has committed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class Queued:
    """One issue waiting for its transaction; ``store`` sets ``outcome`` (a value or an exception)."""

    __slots__ = ("outcome", "stored")

    def __init__(self) -> None:
        self.outcome: object = None
        self.stored = False


class Batches:
    def __init__(self, store: Callable[[list, Callable], None]):
        # Stores a list of Queued (subclasses), setting each outcome; may take more (``more``),
        # appending them to the list it was given.
        self._store = store
        self._turn = threading.Condition()
        self._waiting: list[Queued] = []
        self._storing = False

    def submit(self, item: Queued) -> object:
        """``item``'s outcome once the transaction storing it has ended (an exception is returned,
        not raised: the caller decides what a failure means)."""
        with self._turn:
            self._waiting.append(item)
            while self._storing and not item.stored:
                self._turn.wait()
            if item.stored:
                return item.outcome
            self._storing = True  # this thread stores what waits, itself included
            batch, self._waiting = self._waiting, []
        try:
            self._store(batch, self.more)
        except BaseException as err:  # noqa: BLE001 - each waiting issue is told
            for each in batch:
                if each.outcome is None:
                    each.outcome = err
            raise
        finally:
            with self._turn:
                for each in batch:
                    each.stored = True
                self._storing = False
                self._turn.notify_all()
        if item.outcome is None:  # never so when ``store`` keeps its promise: fail loudly, not as None
            raise RuntimeError("an issue left the number's transaction without an outcome")
        return item.outcome

    def more(self, wanted: Callable[[Queued], bool]) -> list[Queued]:
        """The waiting issues ``wanted`` accepts, taken off the queue (the storing thread calls this
        once its transaction holds its locks: what queued while it waited for them can join)."""
        with self._turn:
            taken: list[Queued] = []
            kept: list[Queued] = []
            for item in self._waiting:
                (taken if wanted(item) else kept).append(item)
            self._waiting = kept
        return taken
