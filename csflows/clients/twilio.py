"""Twilio's Programmable Messaging REST API: send an SMS, and find one already sent.

POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded To/From/Body, HTTP basic
auth (Account SID, Auth Token); the answer is the Message resource (`sid`, `status`, ...), and an
error is Twilio's JSON body (`code`, `message`, `more_info`, `status`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import phonenumbers

from csflows.errors import PhoneNumberError
from csflows.http import quota, request

API = "twilio"
CLOCK_SKEW = timedelta(minutes=5)  # our clock vs Twilio's, when matching an earlier attempt


@dataclass(frozen=True)
class SmsReceipt:
    sid: str
    status: str


def e164(number: str, region: str = "US") -> str:
    """`+1 312 555 0101` -> `+13125550101`, or PhoneNumberError saying what is wrong."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException as exc:
        raise PhoneNumberError(f"phone: {number!r} is not a phone number ({exc})") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise PhoneNumberError(f"phone: {number!r} is not a possible phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class TwilioClient:
    """One Twilio account's Messages resource: send an SMS, find one sent. The TwilioCredentials
    block (blocks/) builds it with `client()`; `requests_per_second` is the account's quota."""

    account_sid: str
    auth_token: str
    from_number: str
    base_url: str = "https://api.twilio.com"
    requests_per_second: float = 25.0

    def _messages_url(self) -> str:
        if not self.account_sid:
            raise ValueError(
                "TwilioCredentials.account_sid is not set (CSFLOWS_TWILIO_ACCOUNT_SID)"
            )
        base = self.base_url.rstrip("/")
        return f"{base}/2010-04-01/Accounts/{self.account_sid}/Messages.json"

    def _get_or_post(self, method: str, **kwargs: Any) -> Any:
        """One call to the Messages resource, within the account's quota."""
        return request(
            API,
            method,
            self._messages_url(),
            rate=quota(API, self.requests_per_second),
            auth=(self.account_sid, self.auth_token),
            **kwargs,
        ).json()

    def send_sms(self, to: str, body: str) -> SmsReceipt:
        """Create one Message; ApiError (4xx, e.g. 21211 invalid To) or TransientApiError."""
        message = self._get_or_post("POST", data={"To": to, "From": self.from_number, "Body": body})
        return SmsReceipt(sid=str(message["sid"]), status=str(message.get("status") or "queued"))

    def find_sent(self, to: str, body: str, since: datetime) -> str | None:
        """The SID of a Message created from our number to `to` with this body at or after
        `since` (an earlier attempt whose answer was lost), if any. `DateSent>` filters by day
        at Twilio."""
        since = since if since.tzinfo else since.replace(tzinfo=UTC)  # SQLite returns naive UTC
        answer = self._get_or_post(
            "GET",
            params={
                "To": to,
                "From": self.from_number,
                "DateSent>": since.astimezone(UTC).date().isoformat(),
                "PageSize": 50,
            },
        )
        earliest = since.astimezone(UTC) - CLOCK_SKEW
        for message in answer.get("messages") or []:
            created = _created(message)
            if (
                message.get("body") == body
                and message.get("status") not in {"failed", "undelivered"}
                and (created is None or created >= earliest)
            ):
                return str(message["sid"])
        return None

    def received(self, since: datetime, pages: int = 20) -> list[dict[str, Any]]:
        """Messages sent TO our number on or after `since`'s day (customers' replies), newest
        first, following Twilio's `next_page_uri` for at most `pages` pages."""
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
        answer = self._get_or_post(
            "GET",
            params={
                "To": self.from_number,
                "DateSent>": since.astimezone(UTC).date().isoformat(),
                "PageSize": 100,
            },
        )
        found = list(answer.get("messages") or [])
        base = self.base_url.rstrip("/")
        for _ in range(pages - 1):
            if not answer.get("next_page_uri"):
                break
            answer = request(
                API,
                "GET",
                f"{base}{answer['next_page_uri']}",
                rate=quota(API, self.requests_per_second),
                auth=(self.account_sid, self.auth_token),
            ).json()
            found += list(answer.get("messages") or [])
        return [m for m in found if str(m.get("direction", "")).startswith("inbound")]


def _created(message: dict[str, Any]) -> datetime | None:
    """A Message's `date_created` (RFC 2822, e.g. `Mon, 02 Mar 2026 16:00:01 +0000`)."""
    try:
        return parsedate_to_datetime(str(message.get("date_created") or ""))
    except (TypeError, ValueError):
        return None
