"""A web server for the website checks: answers by Host header and path, so one server on
127.0.0.1 plays many named sites (reached through CSFLOWS_RESOLVE), and streams generated
bodies so a 50 MB page costs a test no memory. The demo world serves its applicants' sites here."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from deployments.stand_ins.servers import free_port


@dataclass
class Page:
    status: int = 200
    body: str | Callable[[], Iterable[bytes]] = ""
    headers: dict[str, str] = field(default_factory=dict)
    length: int | None = None  # Content-Length for a generated body
    delay: float = 0.0


def zeros(total: int, chunk: int = 256 * 1024) -> Callable[[], Iterable[bytes]]:
    """A body of `total` bytes generated chunk by chunk."""

    def generate() -> Iterable[bytes]:
        block = b"<p>" + b"x" * (chunk - 7) + b"</p>\n"
        sent = 0
        while sent < total:
            piece = block[: min(chunk, total - sent)]
            sent += len(piece)
            yield piece

    return generate


class SiteServer:
    """`site("paperlanterncrafts.com", "/", Page(...))`; requests are logged with their Host."""

    def __init__(self, tls: tuple[str, str] | None = None) -> None:
        """`tls` = (certificate file, key file) serves HTTPS."""
        self.pages: dict[tuple[str, str], Page] = {}
        self.seen: list[tuple[str, str]] = []
        self.bytes_sent = 0
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                host = (self.headers.get("Host") or "").split(":")[0]
                path = self.path.split("?")[0]
                with outer.lock:
                    outer.seen.append((self.headers.get("Host") or "", self.path))
                page = outer.pages.get((host, path)) or Page(404, "<h1>Not Found</h1>")
                if page.delay:
                    threading.Event().wait(page.delay)
                if callable(page.body):
                    chunks, length = page.body(), page.length
                else:
                    data = page.body.encode()
                    chunks, length = [data], len(data)
                try:
                    self.send_response(page.status)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    for k, v in page.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(length))
                    self.end_headers()
                    for chunk in chunks:
                        self.wfile.write(chunk)
                        with outer.lock:
                            outer.bytes_sent += len(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.port = free_port()
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.scheme = "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def site(self, host: str, path: str, page: Page) -> str:
        """Serve `page` at http://host:port/path; returns that URL."""
        self.pages[(host, path)] = page
        return f"{self.scheme}://{host}:{self.port}{path}"

    def resolve_entry(self, *hosts: str, as_port: int | None = None) -> str:
        """The CSFLOWS_RESOLVE value that sends `hosts` here; with `as_port` (443), URLs without
        this server's port reach it too (`https://host/`)."""
        if as_port is None:
            return ",".join(f"{h}:{self.port}:127.0.0.1" for h in hosts)
        return ",".join(f"{h}:{as_port}:127.0.0.1:{self.port}" for h in hosts)

    def start(self) -> SiteServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
