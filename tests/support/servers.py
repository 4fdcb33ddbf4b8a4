"""Real local servers for tests: an SMTP server that keeps what it receives, and the HTTP server
of the stand-ins (deployments/stand_ins) that answers routes with JSON and logs requests."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from deployments.stand_ins.servers import HttpServer as HttpServer
from deployments.stand_ins.servers import Reply as Reply
from deployments.stand_ins.servers import Request as Request
from deployments.stand_ins.servers import Route as Route
from deployments.stand_ins.servers import free_port as free_port

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
