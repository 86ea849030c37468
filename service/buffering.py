"""gunicorn's threaded worker, made safe against slow clients: a request is read whole before a
thread takes it.

gunicorn's ``gthread`` worker gives each connection a thread as soon as its first byte arrives, and
the thread then blocks until the client has sent the request: a hundred clients trickling their
bodies hold a hundred threads, and everyone else waits. Here the worker's event loop (the one
thread that already waits on every idle connection) reads each request — head and body — into a
buffer, and only a complete request goes to the thread pool, which therefore only ever runs the
application. Every connection has ``REQUEST_READ_TIMEOUT`` seconds to send its request (closed
after that), and a worker holds at most ``MAX_CONNECTIONS`` of them: beyond, it answers 503 at once.

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
from functools import partial

from gunicorn.workers.gthread import TConn, ThreadWorker

HEAD_LIMIT = 64 * 1024            # longer heads go to gunicorn's parser, which refuses them (400)
_HEAD_END = b"\r\n\r\n"
_LENGTH = re.compile(rb"\r\ncontent-length[ \t]*:[ \t]*(\d+)[ \t]*(?=\r\n|$)")
_ENCODING = re.compile(rb"\r\ntransfer-encoding[ \t]*:")
_EXPECT = re.compile(rb"\r\nexpect[ \t]*:[ \t]*100-continue[ \t]*(?=\r\n|$)", re.IGNORECASE)


def busy_response() -> bytes:
    """The 503 a connection beyond the limit gets, in the API's error envelope."""
    from forms.errors import message

    body = json.dumps({"code": "busy", "message": message("busy", "en", seconds=1), "errors": []}).encode()
    return (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
            b"Connection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


class Reading:
    """How far the event loop got in one request: where its body starts, its length or where the
    next chunk starts. Each byte is looked at a bounded number of times however the client slices
    its request (a client sending one byte at a time must not cost quadratic time)."""

    def __init__(self, body_limit: int):
        self.body_limit = body_limit
        self.searched = 0                 # the head's end was not found before this offset
        self.body_start: int | None = None
        self.total: int | None = None     # the whole request's length (Content-Length)
        self.chunk_at: int | None = None  # where the next chunk's size line starts (chunked)

    def complete(self, buffer: bytearray) -> bool:
        """Whether ``buffer`` holds a whole request for gunicorn's parser to read without waiting
        (or one it refuses without reading on: a head too long, a body beyond the limit)."""
        if self.body_start is None:
            end = buffer.find(_HEAD_END, max(0, self.searched - 3))
            if end < 0:
                self.searched = len(buffer)
                return len(buffer) > HEAD_LIMIT
            self.body_start = end + 4
            head = bytes(buffer[:end]).lower()
            if _ENCODING.search(head):
                self.chunk_at = self.body_start
            else:
                length = _LENGTH.search(head)
                wanted = int(length.group(1)) if length else 0
                if wanted > self.body_limit:
                    return True
                self.total = self.body_start + wanted
        if self.chunk_at is None:
            return len(buffer) >= self.total
        return self._chunks_complete(buffer)

    def _chunks_complete(self, buffer: bytearray) -> bool:
        """A chunked body is complete at its last (zero-size) chunk and the blank line after trailers."""
        too_long = len(buffer) - self.body_start > self.body_limit + HEAD_LIMIT
        while True:
            line_end = buffer.find(b"\r\n", self.chunk_at)
            if line_end < 0:
                return too_long
            size_text = bytes(buffer[self.chunk_at:line_end]).split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                return True               # malformed: the parser refuses it (400)
            if size == 0:
                return buffer.find(_HEAD_END, line_end) >= 0 or too_long
            following = line_end + 2 + size + 2
            if following > len(buffer):
                return too_long
            self.chunk_at = following


class BufferingWorker(ThreadWorker):
    """``gthread`` whose event loop buffers each request before a thread runs the application."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from service.config import load_config

        config = load_config()
        self.max_connections = int(config["MAX_CONNECTIONS"])
        self.read_timeout = float(config["REQUEST_READ_TIMEOUT"])
        self.body_limit = int(config["MAX_CONTENT_LENGTH"])
        self.refusal = busy_response()
        # gthread stops accepting at worker_connections; this worker answers 503 before that.
        self.worker_connections = self.max_connections + 1

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
        self._buffer(TConn(self.cfg, client, address, listener.getsockname()), bytearray())

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

    def _buffer(self, conn, buffer: bytearray) -> None:
        conn.buffered = buffer
        conn.reading = Reading(self.body_limit)
        conn.expect_checked = False
        conn.timeout = time.monotonic() + self.read_timeout
        # gthread's murder_pending() closes the connections of this queue at their deadline.
        self.pending_conns.append(conn)
        if self._received(conn):
            self._hand_over(conn, registered=False)
            return
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))

    def _on_readable(self, conn, client):
        try:
            data = conn.sock.recv(256 * 1024)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._close(conn)
            return
        conn.buffered += data
        if self._received(conn):
            self._hand_over(conn)

    def _received(self, conn) -> bool:
        """Whether the request is complete; asks for the body (``Expect: 100-continue``) once the
        head is in and the body is both awaited and within the limit."""
        buffered, reading = conn.buffered, conn.reading
        done = reading.complete(buffered)
        if conn.expect_checked or reading.body_start is None:
            return done
        conn.expect_checked = True
        head = bytes(buffered[:reading.body_start - 2])
        if _EXPECT.search(head):
            # Answered here, so the header goes: gunicorn must not answer it a second time.
            shorter = _EXPECT.sub(b"", head)
            buffered[:len(head)] = shorter
            conn.reading = reading = Reading(self.body_limit)
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

    def _close(self, conn) -> None:
        self.poller.unregister(conn.sock)
        self.pending_conns.remove(conn)
        self.nr_conns -= 1
        conn.close()

    def _refuse(self, client: socket.socket) -> None:
        try:
            client.setblocking(False)
            client.send(self.refusal)
            client.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        client.close()

    def handle(self, conn):
        """In the thread: the buffered bytes become what gunicorn's parser reads first."""
        buffered = getattr(conn, "buffered", None)
        if buffered is not None:
            conn.buffered = None
            conn.init()
            conn.parser.unreader.unread(bytes(buffered))
        return super().handle(conn)
