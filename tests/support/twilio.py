"""Twilio's Messages API on the local HTTP server: the request and response shapes of
POST/GET /2010-04-01/Accounts/{AccountSid}/Messages.json, with basic auth and error bodies."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs

from tests.support.servers import HttpServer, Reply, Request

ACCOUNT_SID = "AC00000000000000000000000000000001"
AUTH_TOKEN = "test-auth-token"
FROM_NUMBER = "+15005550006"
INVALID_TO = "+15005550001"  # Twilio's magic test number for "invalid To"


@dataclass
class FakeTwilio:
    server: HttpServer
    created: list[dict[str, Any]] = field(default_factory=list)
    on_create: Callable[[int], None] | None = None  # called with the count, before answering
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    _sids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def path(self) -> str:
        return f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"

    def install(self) -> FakeTwilio:
        self.server.route("POST", self.path, self._create)
        self.server.route("GET", self.path, self._list)
        return self

    def env(self) -> dict[str, str]:
        return {
            "CSFLOWS_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "CSFLOWS_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "CSFLOWS_TWILIO_FROM_NUMBER": FROM_NUMBER,
            "CSFLOWS_TWILIO_BASE_URL": self.server.url,
        }

    def posts(self) -> list[Request]:
        return [r for r in self.server.calls(self.path) if r.method == "POST"]

    def to(self, number: str) -> list[dict[str, Any]]:
        return [m for m in self.created if m["to"] == number]

    def receive(self, sender: str, body: str) -> dict[str, Any]:
        """A customer's SMS to our number, as Twilio lists it (direction `inbound`)."""
        message = {
            "sid": f"SM{next(self._sids):032x}",
            "account_sid": ACCOUNT_SID,
            "to": FROM_NUMBER,
            "from": sender,
            "body": body,
            "status": "received",
            "date_created": format_datetime(self.clock()),
            "date_sent": format_datetime(self.clock()),
            "num_segments": "1",
            "direction": "inbound",
            "api_version": "2010-04-01",
            "error_code": None,
            "error_message": None,
            "uri": f"{self.path[:-5]}/SM.json",
        }
        self.created.append(message)
        return message

    def _authorized(self, request: Request) -> bool:
        expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {expected}"

    def _error(self, status: int, code: int, message: str) -> Reply:
        return Reply(
            status,
            {
                "code": code,
                "message": message,
                "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status,
            },
        )

    def _create(self, request: Request) -> Reply:
        if not self._authorized(request):
            return self._error(401, 20003, "Authenticate")
        if not request.headers.get("Content-Type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            return self._error(400, 21603, "Content-Type must be form-encoded")
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        if "Body" not in form:
            return self._error(400, 21602, "Message body is required.")
        if form.get("From") != FROM_NUMBER:
            return self._error(400, 21606, f"The From phone number {form.get('From')} is not valid")
        if form.get("To") == INVALID_TO:
            return self._error(
                400, 21211, f"The 'To' number {form['To']} is not a valid phone number."
            )
        message = {
            "sid": f"SM{next(self._sids):032x}",
            "account_sid": ACCOUNT_SID,
            "to": form["To"],
            "from": form["From"],
            "body": form["Body"],
            "status": "queued",
            "date_created": format_datetime(self.clock()),
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "error_code": None,
            "error_message": None,
            "uri": f"{self.path[:-5]}/SM.json",
        }
        self.created.append(message)
        if self.on_create:
            self.on_create(len(self.created))
        return Reply(201, message)

    def _list(self, request: Request) -> Reply:
        if not self._authorized(request):
            return self._error(401, 20003, "Authenticate")
        to = request.query.get("To", [None])[0]
        sender = request.query.get("From", [None])[0]
        sent_on_or_after = request.query.get("DateSent>", [None])[0]
        found = [
            m
            for m in reversed(self.created)
            if (to is None or m["to"] == to)
            and (sender is None or m["from"] == sender)
            and (
                sent_on_or_after is None
                or parsedate_to_datetime(m["date_created"]).date().isoformat() >= sent_on_or_after
            )
        ]
        return Reply(
            200,
            {
                "messages": found,
                "page": 0,
                "page_size": 50,
                "first_page_uri": request.path,
                "next_page_uri": None,
                "previous_page_uri": None,
                "uri": request.path,
            },
        )
