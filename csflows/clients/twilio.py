"""Twilio's Programmable Messaging REST API: send an SMS, and find one already sent.

POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded To/From/Body, HTTP basic
auth (Account SID, Auth Token); the answer is the Message resource (`sid`, `status`, ...), and an
error is Twilio's JSON body (`code`, `message`, `more_info`, `status`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import phonenumbers

from csflows.http import RateLimit, request

API = "twilio"
RATE = RateLimit(API, per_second=25, burst=5)


class PhoneNumberError(ValueError):
    """A phone number that cannot be turned into E.164."""


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


def _auth(credentials: Any) -> tuple[str, str]:
    return credentials.account_sid, credentials.auth_token.get_secret_value()


def send_sms(credentials: Any, to: str, body: str) -> SmsReceipt:
    """Create one Message; ApiError (4xx, e.g. 21211 invalid To) or TransientApiError."""
    response = request(
        API,
        "POST",
        _messages_url(credentials),
        rate=RATE,
        auth=_auth(credentials),
        data={"To": to, "From": credentials.from_number, "Body": body},
    )
    message = response.json()
    return SmsReceipt(sid=str(message["sid"]), status=str(message.get("status") or "queued"))


def find_sent(credentials: Any, to: str, body: str) -> str | None:
    """The SID of a Message already created from our number to `to` with this body, if any."""
    response = request(
        API,
        "GET",
        _messages_url(credentials),
        rate=RATE,
        auth=_auth(credentials),
        params={"To": to, "From": credentials.from_number, "PageSize": 50},
    )
    for message in response.json().get("messages") or []:
        if message.get("body") == body and message.get("status") not in {"failed", "undelivered"}:
            return str(message["sid"])
    return None
