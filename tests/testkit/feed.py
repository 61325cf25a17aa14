"""A real local HTTP server playing the recruitment feed, scripted to misbehave (slow pages, 500s, repeats)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


@dataclass
class FeedScript:
    """pages: cursor ('' for the first page) -> body; faults: cursor -> list of faults for successive requests.

    A fault is an HTTP status to answer with, or ("slow", seconds) to wait before answering normally.
    """

    pages: dict[str, dict]
    faults: dict[str, list] = field(default_factory=dict)
    token: str = "s3cret"
    requests: list[str] = field(default_factory=list)  # cursors asked for, in order


@contextmanager
def feed_server(script: FeedScript) -> Iterator[str]:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            cursor = parse_qs(urlparse(self.path).query).get("cursor", [""])[0]
            with lock:
                script.requests.append(cursor)
                queue = script.faults.get(cursor, [])
                fault = queue.pop(0) if queue else None
            if self.headers.get("authorization") != f"Bearer {script.token}":
                return self._send(401, {"error": "bad token"})
            if isinstance(fault, int):
                return self._send(fault, {"error": "scripted failure"})
            if isinstance(fault, tuple) and fault[0] == "slow":
                time.sleep(fault[1])
            if cursor not in script.pages:
                return self._send(400, {"error": f"unknown cursor {cursor}"})
            self._send(200, script.pages[cursor])

        def _send(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout we scripted)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed/postings"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
