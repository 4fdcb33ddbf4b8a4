"""NetSuite, the system of record where the business has one: SuiteTalk REST `record/v1/customer`
with token-based authentication (OAuth 1.0a, HMAC-SHA256).

Records (customers, support cases) are upserted by external id (`PUT record/v1/<type>/eid:<id>`),
so a retried or resumed run updates the record it created instead of creating a second one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any, Protocol
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from pydantic import SecretStr
from requests import PreparedRequest
from requests.auth import AuthBase

from csflows.errors import ApiError, TransientApiError
from csflows.http import quota, request
from csflows.models import Customer

API = "netsuite"


class NetSuiteAccount(Protocol):
    """What a NetSuite call reads of its account (the NetSuiteCredentials block, blocks/)."""

    @property
    def base_url(self) -> str: ...
    @property
    def account_id(self) -> str: ...
    @property
    def consumer_key(self) -> str: ...
    @property
    def consumer_secret(self) -> SecretStr: ...
    @property
    def token_id(self) -> str: ...
    @property
    def token_secret(self) -> SecretStr: ...
    @property
    def requests_per_second(self) -> float: ...


def _enc(value: str) -> str:
    return quote(value, safe="~-._")


def signature_base(method: str, url: str, oauth: dict[str, str]) -> str:
    """RFC 5849 section 3.4.1: method, base URI, and the sorted, encoded parameters."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    default = {"http": 80, "https": 443}.get(scheme)
    netloc = host if parts.port in (None, default) else f"{host}:{parts.port}"
    base_uri = urlunsplit((scheme, netloc, parts.path or "/", "", ""))
    params = parse_qsl(parts.query, keep_blank_values=True) + [
        (k, v) for k, v in oauth.items() if k not in ("realm", "oauth_signature")
    ]
    normalized = "&".join(f"{k}={v}" for k, v in sorted((_enc(k), _enc(v)) for k, v in params))
    return "&".join([method.upper(), _enc(base_uri), _enc(normalized)])


def authorization(
    method: str,
    url: str,
    account_id: str,
    consumer_key: str,
    consumer_secret: str,
    token_id: str,
    token_secret: str,
    nonce: str | None = None,
    timestamp: int | None = None,
) -> str:
    """The `Authorization: OAuth ...` header NetSuite's token-based authentication expects."""
    oauth = {
        "oauth_consumer_key": consumer_key,
        "oauth_token": token_id,
        "oauth_signature_method": "HMAC-SHA256",
        "oauth_timestamp": str(timestamp or int(time.time())),
        "oauth_nonce": nonce or secrets.token_hex(16),
        "oauth_version": "1.0",
    }
    key = f"{_enc(consumer_secret)}&{_enc(token_secret)}".encode()
    digest = hmac.new(key, signature_base(method, url, oauth).encode(), hashlib.sha256).digest()
    oauth["oauth_signature"] = base64.b64encode(digest).decode()
    realm = account_id.upper().replace("-", "_")
    fields = [f'realm="{realm}"'] + [f'{k}="{_enc(v)}"' for k, v in oauth.items()]
    return "OAuth " + ", ".join(fields)


def customer_record(customer: Customer, external_id: str) -> dict[str, Any]:
    """The customer as SuiteTalk's `customer` record (a company, not a person)."""
    return {
        "externalId": external_id,
        "companyName": customer.name,
        "isPerson": False,
        "email": customer.email,
        "phone": customer.phone,
        "comments": f"Created by csflows from new-customer inquiry {external_id}",
    }


class TokenAuth(AuthBase):
    """Signs each request as it is sent, so a retried request has a fresh nonce and timestamp."""

    def __init__(self, credentials: NetSuiteAccount) -> None:
        self.credentials = credentials

    def __call__(self, prepared: PreparedRequest) -> PreparedRequest:
        c = self.credentials
        prepared.headers["Authorization"] = authorization(
            prepared.method or "GET",
            prepared.url or "",
            c.account_id,
            c.consumer_key,
            c.consumer_secret.get_secret_value(),
            c.token_id,
            c.token_secret.get_secret_value(),
        )
        return prepared


def _with_details(exc: ApiError) -> ApiError:
    """The error with NetSuite's own words (`o:errorDetails`: detail and code) in its message."""
    try:
        body = json.loads(exc.body) if isinstance(exc.body, str) else exc.body
    except ValueError:
        return exc
    details = body.get("o:errorDetails") if isinstance(body, dict) else None
    if not isinstance(details, list) or not details:
        return exc
    words = "; ".join(
        f"{d.get('detail', '')} [{d.get('o:errorCode', '')}]" if isinstance(d, dict) else str(d)
        for d in details
    )
    named = ApiError(exc.api, "", exc.status, body=exc.body)
    named.args = (f"{exc}: {words}",)
    return named


def upsert(
    credentials: NetSuiteAccount, record_type: str, external_id: str, record: dict[str, Any]
) -> str:
    """Create or update `record_type` by external id (`PUT record/v1/<type>/eid:<id>`), so a
    retry updates what the first try created; returns the record's internal id."""
    base = credentials.base_url.rstrip("/")
    url = f"{base}/record/v1/{record_type}/eid:{external_id}"
    rate = quota(API, credentials.requests_per_second)  # the team's quota
    auth = TokenAuth(credentials)
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    try:
        response = request(API, "PUT", url, rate=rate, json=record, headers=headers, auth=auth)
        location = response.headers.get("Location", "").rstrip("/").rsplit("/", 1)[-1]
        if location.isdigit():
            return location
        found = request(API, "GET", url, rate=rate, headers=headers, auth=auth).json()
    except TransientApiError:
        raise
    except ApiError as exc:
        raise _with_details(exc) from exc
    return str(found["id"])


def upsert_customer(credentials: NetSuiteAccount, customer: Customer, external_id: str) -> str:
    """Create or update the customer in NetSuite; returns its internal id."""
    return upsert(credentials, "customer", external_id, customer_record(customer, external_id))
