"""A Jekyll site on 127.0.0.1 whose pages appear when they are deployed: every path
answers 404 until `deploy(path)`, as a static host does while the build runs. A page
can also redirect, send a huge body, or hold its answer (a slow server) until
`release` is set. Each request is recorded, and can be waited for."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.fakes.images import serving

CHUNK = 64 * 1024


@dataclass(frozen=True)
class Page:
    status: int = 404
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"<h1>Not Found</h1>"
    size: int = 0  # a huge body: this many bytes, sent in chunks while the client reads
    held: bool = False  # answer only once the site's `release` is set


class FakeSite:
    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.hits: list[str] = []
        self.sent: dict[str, int] = {}  # body bytes written, per path
        self.release = threading.Event()
        self._changed = threading.Condition()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                with site._changed:
                    site.hits.append(self.path)
                    site._changed.notify_all()
                page = site.pages.get(self.path, Page())
                if page.held:
                    site.release.wait(30)
                self.send_response(page.status)
                for name, value in page.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(page.size or len(page.body)))
                self.end_headers()
                site._write(self, page)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def _write(self, handler: BaseHTTPRequestHandler, page: Page) -> None:
        """The body; a huge one until the client hangs up, counting what went out."""
        try:
            if not page.size:
                handler.wfile.write(page.body)
                return
            while self.sent.get(handler.path, 0) < page.size:
                handler.wfile.write(b"\0" * CHUNK)
                self.sent[handler.path] = self.sent.get(handler.path, 0) + CHUNK
        except OSError:  # the client closed the connection: what a check should do
            handler.close_connection = True

    def deploy(self, path: str, status: int = 200) -> None:
        """The build is done: the page is there."""
        self.pages[path] = Page(status, {"Content-Type": "text/html"}, b"<h1>Post</h1>")

    def redirect(self, path: str, location: str, status: int = 301) -> None:
        self.pages[path] = Page(status, {"Location": location}, b"")

    def huge(self, path: str, size: int) -> None:
        self.pages[path] = Page(200, {"Content-Type": "text/html"}, size=size)

    def hold(self, path: str) -> None:
        """The page answers 200, but only once `release` is set."""
        self.pages[path] = Page(200, {}, b"late", held=True)

    def wait_for_hits(self, path: str, count: int, timeout: float = 10.0) -> None:
        """Block until `path` was asked for `count` times."""
        with self._changed:
            if not self._changed.wait_for(lambda: self.hits.count(path) >= count, timeout):
                raise AssertionError(f"{path} asked {self.hits.count(path)} times, not {count}")

    @contextmanager
    def running(self) -> Iterator[FakeSite]:
        with serving(self.httpd):
            try:
                yield self
            finally:
                self.release.set()  # held answers end, so no thread outlives the test
