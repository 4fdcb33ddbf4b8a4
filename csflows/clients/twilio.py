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
from csflows.http import RateLimit, request

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


def _messages_url(credentials: Any) -> str:
    if not credentials.account_sid:
        raise ValueError("TwilioCredentials.account_sid is not set (CSFLOWS_TWILIO_ACCOUNT_SID)")
    base = credentials.base_url.rstrip("/")
    return f"{base}/2010-04-01/Accounts/{credentials.account_sid}/Messages.json"


def _rate(credentials: Any) -> RateLimit:
    """This machine's share of the account's quota (the block's requests_per_second)."""
    return RateLimit(API, credentials.requests_per_second, burst=5)


def _auth(credentials: Any) -> tuple[str, str]:
    return credentials.account_sid, credentials.auth_token.get_secret_value()


def send_sms(credentials: Any, to: str, body: str) -> SmsReceipt:
    """Create one Message; ApiError (4xx, e.g. 21211 invalid To) or TransientApiError."""
    response = request(
        API,
        "POST",
        _messages_url(credentials),
        rate=_rate(credentials),
        auth=_auth(credentials),
        data={"To": to, "From": credentials.from_number, "Body": body},
    )
    message = response.json()
    return SmsReceipt(sid=str(message["sid"]), status=str(message.get("status") or "queued"))


def _created(message: dict[str, Any]) -> datetime | None:
    """A Message's `date_created` (RFC 2822, e.g. `Mon, 02 Mar 2026 16:00:01 +0000`)."""
    try:
        return parsedate_to_datetime(str(message.get("date_created") or ""))
    except (TypeError, ValueError):
        return None


def find_sent(credentials: Any, to: str, body: str, since: datetime) -> str | None:
    """The SID of a Message created from our number to `to` with this body at or after `since`
    (an earlier attempt whose answer was lost), if any. `DateSent>` filters by day at Twilio."""
    since = since if since.tzinfo else since.replace(tzinfo=UTC)  # SQLite returns naive UTC
    response = request(
        API,
        "GET",
        _messages_url(credentials),
        rate=_rate(credentials),
        auth=_auth(credentials),
        params={
            "To": to,
            "From": credentials.from_number,
            "DateSent>": since.astimezone(UTC).date().isoformat(),
            "PageSize": 50,
        },
    )
    earliest = since.astimezone(UTC) - CLOCK_SKEW
    for message in response.json().get("messages") or []:
        created = _created(message)
        if (
            message.get("body") == body
            and message.get("status") not in {"failed", "undelivered"}
            and (created is None or created >= earliest)
        ):
            return str(message["sid"])
    return None
