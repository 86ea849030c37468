"""gunicorn's threaded worker, made safe against slow clients: a request is read whole before a
thread takes it.

gunicorn's ``gthread`` worker gives each connection a thread as soon as its first byte arrives, and
the thread then blocks until the client has sent the request: a hundred clients trickling their
bodies hold a hundred threads, and everyone else waits. Here the worker's event loop (the one
thread that already waits on every idle connection) reads each request — head and body — into a
buffer, and only a complete request goes to the thread pool, which therefore only ever runs the
application. Every connection has ``REQUEST_READ_TIMEOUT`` seconds to send its request, plus one
for every ``REQUEST_MIN_RATE`` bytes it sent (a large upload at a sane rate goes on, a trickle is
closed), and a worker holds at most ``MAX_CONNECTIONS`` of them: beyond, it answers 503 at once.

A body is buffered up to its route's limit (``service.bodies``: ``MAX_CONTENT_LENGTH``, more for the
verification's file upload). A declared length beyond it goes to a thread at once, without its
body, for the app's 413, and the connection then closes; a chunked body beyond it is answered 413
here. Bodies beyond ``MAX_CONTENT_LENGTH`` are buffered by at most ``THREADS`` connections of a
worker at once (503 beyond), the memory the threads would hold reading them. A connection closed
after an answer lingers a moment for the client's unread bytes (so that the answer is not reset
away) in the event loop, never blocking it.

TLS is left to the proxy in front (``deploy/``): with ``certfile`` set, the worker behaves like
plain ``gthread``.
"""

from __future__ import annotations

import errno
import json
import re
import selectors
import socket
import time
from collections import deque
from collections.abc import Callable
from functools import partial

from gunicorn.workers.gthread import TConn, ThreadWorker

HEAD_LIMIT = 64 * 1024  # longer heads go to gunicorn's parser, which refuses them (400)
LINGER_SECONDS = 2.0  # as gunicorn's close_graceful: how long a closing connection is drained
LINGER_BYTES = 256 * 1024
REFUSED_READ_SECONDS = 1.0  # a thread answering a refused body never waits longer on its socket
_HEAD_END = b"\r\n\r\n"
_LENGTH = re.compile(rb"\r\ncontent-length[ \t]*:[ \t]*(\d+)[ \t]*(?=\r\n|$)")
_ENCODING = re.compile(rb"\r\ntransfer-encoding[ \t]*:")
_EXPECT = re.compile(rb"\r\nexpect[ \t]*:[ \t]*100-continue[ \t]*(?=\r\n|$)", re.IGNORECASE)


def _answer(status: bytes, code: str, extra_headers: bytes = b"", **params) -> bytes:
    """A whole response in the API's error envelope, for the event loop to send as it is."""
    from forms.errors import message

    body = json.dumps({"code": code, "message": message(code, "en", **params), "errors": []}).encode()
    return (
        b"HTTP/1.1 "
        + status
        + b"\r\nContent-Type: application/json\r\n"
        + extra_headers
        + b"Connection: close\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )


def busy_response() -> bytes:
    """The 503 a connection beyond the limit gets, in the API's error envelope."""
    return _answer(b"503 Service Unavailable", "busy", b"Retry-After: 1\r\n", seconds=1)


def too_large_response(limit: int) -> bytes:
    """The 413 of a chunked body beyond the limit (a browser never sends one: no page needed)."""
    return _answer(b"413 Content Too Large", "body_too_large", max=limit)


class Reading:
    """How far the event loop got in one request: where its body starts, its length or where the
    next chunk starts. Each byte is looked at a bounded number of times however the client slices
    its request (a client sending one byte at a time must not cost quadratic time)."""

    def __init__(self, body_limit: int, route_limit: Callable[[bytes], int] | None = None):
        self.body_limit = body_limit  # MAX_CONTENT_LENGTH
        self.route_limit = route_limit  # a longer limit some routes have, from the request's head
        self.limit = body_limit  # this request's
        self.searched = 0  # the head's end was not found before this offset
        self.body_start: int | None = None
        self.total: int | None = None  # the whole request's length (Content-Length)
        self.chunk_at: int | None = None  # where the next chunk's size line starts (chunked)
        self.refused = False  # declared beyond the limit: handed over without its body
        self.overflowed = False  # chunked beyond the limit: answered 413 by the event loop
        self.large = False  # a body beyond MAX_CONTENT_LENGTH is on its way, to be buffered

    def complete(self, buffer: bytearray) -> bool:
        """Whether ``buffer`` holds a whole request for gunicorn's parser to read without waiting
        (or one it refuses without reading on: a head too long, a body beyond the limit)."""
        if self.body_start is None:
            end = buffer.find(_HEAD_END, max(0, self.searched - 3))
            if end < 0:
                self.searched = len(buffer)
                return len(buffer) > HEAD_LIMIT
            self.body_start = end + 4
            head = bytes(buffer[:end])
            lowered = head.lower()
            chunked = _ENCODING.search(lowered) is not None
            length = None if chunked else _LENGTH.search(lowered)
            digits = length.group(1) if length else b"0"
            # More digits than any limit has are beyond it (and int() refuses thousands of them).
            wanted = int(digits) if len(digits) <= 18 else 10**18
            if (chunked or wanted > self.body_limit) and self.route_limit is not None:
                self.limit = self.route_limit(head)
            if not chunked and wanted > self.limit:
                self.refused = True
                return True
            self.large = self.limit > self.body_limit and (chunked or wanted > self.body_limit)
            if chunked:
                self.chunk_at = self.body_start
            else:
                self.total = self.body_start + wanted
        if self.chunk_at is None:
            return len(buffer) >= self.total
        return self._chunks_complete(buffer)

    def _chunks_complete(self, buffer: bytearray) -> bool:
        """A chunked body is complete at its last (zero-size) chunk and the blank line after trailers."""
        too_long = self.overflowed = len(buffer) - self.body_start > self.limit + HEAD_LIMIT
        while True:
            line_end = buffer.find(b"\r\n", self.chunk_at)
            if line_end < 0:
                return too_long
            size_text = bytes(buffer[self.chunk_at : line_end]).split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                return True  # malformed: the parser refuses it (400)
            if size == 0:
                return buffer.find(_HEAD_END, line_end) >= 0 or too_long
            following = line_end + 2 + size + 2
            if following > len(buffer):
                return too_long
            self.chunk_at = following


class BufferedConn(TConn):
    """A connection of the buffering worker: closed after its answer by the worker's event loop,
    which lingers for the client's unread bytes without blocking (gunicorn's own graceful close
    waits up to two seconds in the loop, and every other client with it)."""

    def __init__(self, worker: BufferingWorker, *args):
        super().__init__(*args)
        self.worker = worker

    def close(self, graceful: bool = False) -> None:
        if graceful:
            self.worker.linger(self.sock)
        else:
            super().close()


class BufferingWorker(ThreadWorker):
    """``gthread`` whose event loop buffers each request before a thread runs the application."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from service.config import load_config

        config = load_config()
        self.max_connections = int(config["MAX_CONNECTIONS"])
        self.read_timeout = float(config["REQUEST_READ_TIMEOUT"])
        self.min_rate = float(config["REQUEST_MIN_RATE"])
        self.body_limit = int(config["MAX_CONTENT_LENGTH"])
        self.refusal = busy_response()
        # gthread stops accepting at worker_connections; this worker answers 503 before that.
        self.worker_connections = self.max_connections + 1
        # Bodies beyond MAX_CONTENT_LENGTH buffered at once: as many as the threads could hold.
        self.large_slots = max(1, int(self.cfg.threads))
        self.large_bodies = 0
        self.lingering: deque = deque()

    def accept(self, listener):
        if self.cfg.is_ssl:
            return super().accept(listener)
        try:
            client, address = listener.accept()
        except OSError as err:
            if err.errno in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                return
            raise
        if self.nr_conns >= self.max_connections:
            self._refuse(client)
            return
        self.nr_conns += 1
        self._buffer(BufferedConn(self, self.cfg, client, address, listener.getsockname()), bytearray())

    def on_client_socket_readable(self, conn, client):
        """A kept-alive connection sends its next request: buffered like the first."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._buffer(conn, bytearray())

    def enqueue_req(self, conn):
        """gthread hands a connection straight back to a thread when the previous request left
        bytes of the next one behind: they are buffered first, like any request."""
        leftover = conn.parser.unreader.buf.getvalue() if conn.parser is not None and not self.cfg.is_ssl else b""
        if leftover and not getattr(conn, "buffered", None):
            conn.parser.unreader.buf = type(conn.parser.unreader.buf)()
            conn.sock.setblocking(False)
            self._buffer(conn, bytearray(leftover))
            return
        super().enqueue_req(conn)

    def route_limit(self, head: bytes) -> int:
        """The body limit of the request line's route, as the app says (``service.bodies``)."""
        limit_of = getattr(self.wsgi, "body_limit", None)
        if limit_of is None:
            return self.body_limit
        method, _, rest = head.partition(b" ")
        return limit_of(method.decode("latin-1"), rest.split(b" ", 1)[0].split(b"\r\n", 1)[0].decode("latin-1"))

    def _buffer(self, conn, buffer: bytearray) -> None:
        conn.buffered = buffer
        conn.reading = Reading(self.body_limit, self.route_limit)
        conn.expect_checked = False
        conn.refused = conn.large = False
        conn.started = time.monotonic()
        conn.timeout = self._deadline(conn)
        # gthread's murder_pending() closes the connections of this queue at their deadline.
        self.pending_conns.append(conn)
        self._advance(conn, registered=False)

    def _deadline(self, conn) -> float:
        # mod_reqtimeout's MinRate: every REQUEST_MIN_RATE bytes sent buy the client another second.
        return conn.started + self.read_timeout + len(conn.buffered) / self.min_rate

    def _on_readable(self, conn, client):
        try:
            data = conn.sock.recv(256 * 1024)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._forget(conn)
            conn.close()
            return
        conn.buffered += data
        conn.timeout = self._deadline(conn)
        self._advance(conn)

    def _advance(self, conn, registered: bool = True) -> None:
        """What the bytes so far make of the request: handed to a thread, refused here, or awaited."""
        done = self._received(conn)
        reading = conn.reading
        if reading.overflowed:
            self._answer(conn, too_large_response(reading.limit), registered)
            return
        if reading.large and not conn.large:
            if self.large_bodies >= self.large_slots:
                self._answer(conn, self.refusal, registered)
                return
            conn.large = True
            self.large_bodies += 1
        if done:
            conn.refused = reading.refused
            self._hand_over(conn, registered)
        elif not registered:
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))

    def _received(self, conn) -> bool:
        """Whether the request is complete; asks for the body (``Expect: 100-continue``) once the
        head is in and the body is both awaited and within the limit."""
        buffered, reading = conn.buffered, conn.reading
        done = reading.complete(buffered)
        if conn.expect_checked or reading.body_start is None:
            return done
        conn.expect_checked = True
        head = bytes(buffered[: reading.body_start - 2])
        if _EXPECT.search(head):
            # Answered here, so the header goes: gunicorn must not answer it a second time.
            shorter = _EXPECT.sub(b"", head)
            buffered[: len(head)] = shorter
            conn.reading = reading = Reading(self.body_limit, self.route_limit)
            done = reading.complete(buffered)
            if not done and len(buffered) == reading.body_start:
                try:
                    conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
                except OSError:
                    pass
        return done

    def _hand_over(self, conn, registered: bool = True) -> None:
        if registered:
            self.poller.unregister(conn.sock)
        self.pending_conns.remove(conn)
        conn.data_ready = True
        super().enqueue_req(conn)

    def _forget(self, conn, registered: bool = True) -> None:
        """The connection leaves this worker's books (the caller closes it)."""
        if registered:
            self.poller.unregister(conn.sock)
        self.pending_conns.remove(conn)
        self.nr_conns -= 1
        self._release(conn)

    def _release(self, conn) -> None:
        if getattr(conn, "large", False):
            conn.large = False
            self.large_bodies -= 1

    def _answer(self, conn, response: bytes, registered: bool) -> None:
        """Answers from the event loop (a small answer: the socket's buffer takes it) and closes."""
        self._forget(conn, registered)
        try:
            conn.sock.send(response)
        except OSError:
            pass
        self.linger(conn.sock)

    def _refuse(self, client: socket.socket) -> None:
        try:
            client.setblocking(False)
            client.send(self.refusal)
            client.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        client.close()

    def linger(self, sock: socket.socket) -> None:
        """Closes ``sock`` after an answer as gunicorn's ``close_graceful`` does (the write side
        first, then the client's unread bytes drained for a moment, so that the kernel does not
        reset the connection over the answer), but from the event loop, never blocking it."""
        try:
            sock.setblocking(False)
            sock.shutdown(socket.SHUT_WR)
            entry = [time.monotonic() + LINGER_SECONDS, sock, 0]
            self.poller.register(sock, selectors.EVENT_READ, partial(self._drain, entry))
        except (OSError, ValueError):
            sock.close()
            return
        self.lingering.append(entry)

    def _drain(self, entry: list, sock: socket.socket) -> None:
        try:
            data = sock.recv(64 * 1024)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        entry[2] += len(data)
        if not data or entry[2] >= LINGER_BYTES:
            self.lingering.remove(entry)
            self._end_linger(entry)

    def _end_linger(self, entry: list) -> None:
        try:
            self.poller.unregister(entry[1])
        except (KeyError, ValueError):
            pass
        entry[1].close()

    def murder_pending(self):
        """Closes the connections past their deadline, which here moves as bytes arrive (so the
        queue is not in deadline order, as gthread's own loop assumes), and ends lingering closes."""
        now = time.monotonic()
        for conn in [conn for conn in self.pending_conns if conn.timeout <= now]:
            try:
                self.poller.unregister(conn.sock)
            except (KeyError, ValueError):
                pass
            self._forget(conn, registered=False)
            conn.close()
        while self.lingering and self.lingering[0][0] <= now:
            self._end_linger(self.lingering.popleft())

    def finish_request(self, conn, fs):
        self._release(conn)  # the thread is done with the body it was handed
        super().finish_request(conn, fs)

    def handle(self, conn):
        """In the thread: the buffered bytes become what gunicorn's parser reads first."""
        buffered = getattr(conn, "buffered", None)
        if buffered is not None:
            conn.buffered = None
            conn.init()
            conn.parser.unreader.unread(bytes(buffered))
        return super().handle(conn)

    def handle_request(self, req, conn):
        if getattr(conn, "refused", False):
            # The body is still on the socket, unread: the answer (the app's 413) closes the
            # connection, and a thread never waits long on it should something read it after all.
            req.must_close = True
            conn.sock.settimeout(REFUSED_READ_SECONDS)
        return super().handle_request(req, conn)
