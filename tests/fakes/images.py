"""Web servers on 127.0.0.1 for feature images in tests: one that serves a tiny PNG at
any *.png path, and ones that behave badly (tricklers, redirects, an "internal"
service that must never be reached). Each records the paths it was asked for."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
# status, headers, body; a body of None trickles a byte every 0.3 s for ever.
Route = tuple[int, Mapping[str, str], bytes | None]
_ANY_PNG: Route = (200, {"Content-Type": "image/png"}, PNG)


class Server:
    def __init__(self, routes: Mapping[str, Route], *, any_png: bool = False) -> None:
        """`routes`: path -> answer; `any_png`: every other *.png path is the PNG."""
        self.routes = routes
        self.hits: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits.append(self.path)
                fallback = _ANY_PNG if any_png and self.path.endswith(".png") else (404, {}, b"")
                status, headers, body = server.routes.get(self.path, fallback)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if body is not None:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body is not None:
                    self.wfile.write(body)
                    return
                try:
                    while True:
                        self.wfile.write(b"\0")
                        self.wfile.flush()
                        time.sleep(0.3)
                except OSError:
                    return

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    @contextmanager
    def running(self) -> Iterator[Server]:
        with serving(self.httpd):
            yield self


@contextmanager
def serving(httpd: ThreadingHTTPServer) -> Iterator[None]:
    """A loopback server answering on a thread of its own, shut down afterwards."""
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextmanager
def serve_images() -> Iterator[str]:
    """Serve the PNG at any *.png path; yields the root URL."""
    with Server({}, any_png=True).running() as server:
        yield server.url
