"""Real local servers for tests: an SMTP server that keeps what it receives, and an HTTP server
that answers routes with JSON (the documented shapes of the APIs we call) and logs requests."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- SMTP -------------------------------------------------------------------------------------


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain", "html"))
        return part.get_content().replace("\r\n", "\n") if part is not None else ""


class _Collector:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        if self.server.refuse:
            return "451 4.3.0 try again later"
        if self.server.holds_next():
            while not self.server.released.is_set():  # the sender waits for our answer
                await asyncio.sleep(0.05)
            return "451 4.3.0 held, not accepted"
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self.server.lock:
            self.server.messages.append(
                ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), msg)
            )  # type: ignore[arg-type]
        return "250 OK"


class SmtpServer:
    """aiosmtpd on 127.0.0.1; `refuse = True` answers 451 to simulate a mail outage.

    `hold(n)`: the n-th message and every one after it get no answer until `release()`, then a
    451 (never accepted), so a test can kill the sender while it waits in the middle of a batch.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.host = "127.0.0.1"
        self.messages: list[ReceivedMail] = []
        self.lock = threading.Lock()
        self.refuse = False
        self.hold_from: int | None = None
        self.holding = threading.Event()  # set once a message is being held
        self.released = threading.Event()
        self._controller = Controller(_Collector(self), hostname=self.host, port=self.port)

    def start(self) -> SmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def hold(self, nth: int) -> None:
        self.hold_from, self.holding, self.released = nth, threading.Event(), threading.Event()

    def holds_next(self) -> bool:
        with self.lock:
            held = self.hold_from is not None and len(self.messages) + 1 >= self.hold_from
        if held:
            self.holding.set()
        return held

    def release(self) -> None:
        """Answer the held messages (451) and accept what comes after."""
        self.hold_from = None
        self.released.set()

    def to(self, address: str) -> list[ReceivedMail]:
        return [m for m in self.messages if address in m.rcpt_tos]

    def env(self) -> dict[str, str]:
        """Environment that points the SmtpServer block here."""
        return {
            "CSFLOWS_SMTP_HOST": self.host,
            "CSFLOWS_SMTP_PORT": str(self.port),
            "CSFLOWS_SMTP_STARTTLS": "false",
            "CSFLOWS_MAIL_FROM": "Customer Service <cs@advantus.test>",
        }


# --- HTTP -------------------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list -> JSON; bytes/str sent as is
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Route = Callable[[Request], Reply]


class HttpServer:
    """ThreadingHTTPServer on 127.0.0.1. `route("GET", "/path", fn)`; longest prefix wins.

    Every request is kept in `requests`, so tests can count API calls.
    """

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Route] = {}
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                req = Request(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    dict(self.headers.items()),
                    body,
                )
                with outer.lock:
                    outer.requests.append(req)
                reply = outer.dispatch(req)
                if reply.delay:
                    threading.Event().wait(reply.delay)
                payload = reply.body
                headers = dict(reply.headers)
                if isinstance(payload, (dict, list)):
                    data = json.dumps(payload).encode()
                    headers.setdefault("Content-Type", "application/json; charset=UTF-8")
                elif isinstance(payload, str):
                    data = payload.encode()
                    headers.setdefault("Content-Type", "text/html; charset=utf-8")
                else:
                    data = payload or b""
                try:
                    self.send_response(reply.status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle  # noqa: N815

        self.port = free_port()
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def route(self, method: str, path: str, fn: Route | Reply) -> None:
        self.routes[(method.upper(), path)] = fn if callable(fn) else (lambda _r, reply=fn: reply)

    def dispatch(self, req: Request) -> Reply:
        matches = [
            (p, fn)
            for (m, p), fn in self.routes.items()
            if m == req.method and req.path.startswith(p)
        ]
        if not matches:
            return Reply(
                404, {"error": {"code": 404, "message": f"no route for {req.method} {req.path}"}}
            )
        return max(matches, key=lambda pair: len(pair[0]))[1](req)

    def calls(self, path_prefix: str = "") -> list[Request]:
        return [r for r in self.requests if r.path.startswith(path_prefix)]

    def start(self) -> HttpServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
