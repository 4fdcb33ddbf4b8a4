"""The external systems csflows talks to, one block each; secrets are SecretStr. A block opens
its own connection or client (SMTP, IMAP, Twilio); csflows takes them through its Protocols."""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from typing import ClassVar

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError
from pydantic import Field, SecretStr

from blocks.base import EnvOverridableBlock, resolve
from csflows.clients.twilio import TwilioClient
from csflows.errors import InboxUnavailable


class GoogleMapsCredentials(EnvOverridableBlock):
    """Google Maps Platform: Geocoding, Address Validation, Places (New)."""

    _block_type_name = "csflows Google Maps"
    _env_names: ClassVar[dict[str, str]] = {
        "api_key": "CSFLOWS_GOOGLE_MAPS_API_KEY",
        "base_url": "CSFLOWS_GOOGLE_MAPS_BASE_URL",
        "address_validation_base_url": "CSFLOWS_ADDRESS_VALIDATION_BASE_URL",
        "places_base_url": "CSFLOWS_PLACES_BASE_URL",
        "requests_per_second": "CSFLOWS_GOOGLE_MAPS_QPS",
    }
    api_key: SecretStr | None = Field(None, description="Maps Platform API key")
    base_url: str = "https://maps.googleapis.com"
    address_validation_base_url: str = "https://addressvalidation.googleapis.com"
    places_base_url: str = "https://places.googleapis.com"
    requests_per_second: float = Field(
        10.0, ge=0, description="the provider's quota per API, for the whole team"
    )


class SmtpServer(EnvOverridableBlock):
    """Outbound mail."""

    _block_type_name = "csflows SMTP"
    _env_prefix: ClassVar[str] = "CSFLOWS_SMTP_"
    _env_names: ClassVar[dict[str, str]] = {"mail_from": "CSFLOWS_MAIL_FROM"}
    host: str = "127.0.0.1"
    port: int = 25
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = False
    ssl: bool = False
    timeout: float = 30.0
    mail_from: str = "Customer Service <customerservice@example.com>"

    def connect(self) -> smtplib.SMTP:
        """A connected, logged-in SMTP session: SMTPS when `ssl`, STARTTLS when `starttls`,
        login when `username` is set. Use it as a context manager: it quits on the way out."""
        context = ssl.create_default_context()
        client = (
            smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            if self.ssl
            else smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        )
        try:
            if self.starttls:
                client.starttls(context=context)
            if self.username:
                password = self.password.get_secret_value() if self.password else ""
                client.login(self.username, password)
        except BaseException:
            client.close()
            raise
        return client

    def send_message(self, message: EmailMessage) -> None:
        """Send one message on a connection of its own (csflows.outbox.MailSender)."""
        with self.connect() as client:
            client.send_message(message)


class ImapInbox(EnvOverridableBlock):
    """One monitored customer-service inbox; save one block per inbox."""

    _block_type_name = "csflows IMAP inbox"
    _env_prefix: ClassVar[str] = "CSFLOWS_IMAP_"
    host: str = "127.0.0.1"
    port: int = 993
    tls: bool = True
    username: str = ""
    password: SecretStr = SecretStr("")
    folder: str = "INBOX"

    @classmethod
    def named(cls, name: str) -> ImapInbox:
        """The block `name`; CSFLOWS_IMAP_<NAME>_<FIELD> overrides CSFLOWS_IMAP_<FIELD>."""
        environ = dict(os.environ)
        prefix = f"CSFLOWS_IMAP_{name.upper().replace('-', '_')}_"
        for key, value in os.environ.items():
            if key.startswith(prefix):
                environ[f"CSFLOWS_IMAP_{key.removeprefix(prefix)}"] = value
        return resolve(cls, name, environ=environ)

    def connect(self) -> IMAPClient:
        """A logged-in IMAP session; InboxUnavailable (transient) when the server cannot be had."""
        try:
            client = IMAPClient(self.host, port=self.port, ssl=self.tls, timeout=60)
            client.login(self.username, self.password.get_secret_value())
        except (TimeoutError, OSError, IMAPClientError) as exc:
            raise InboxUnavailable(
                f"IMAP {self.host}:{self.port}: {exc.__class__.__name__}: {exc}"
            ) from exc
        return client


class TwilioCredentials(EnvOverridableBlock):
    """SMS through Twilio's REST API."""

    _block_type_name = "csflows Twilio"
    _env_prefix: ClassVar[str] = "CSFLOWS_TWILIO_"
    account_sid: str = ""
    auth_token: SecretStr = SecretStr("")
    from_number: str = ""
    base_url: str = "https://api.twilio.com"
    requests_per_second: float = Field(
        25.0, ge=0, description="the provider's quota, for the whole team"
    )

    def client(self) -> TwilioClient:
        """A client of this account's Messages resource (csflows.outbox.SmsSender)."""
        return TwilioClient(
            account_sid=self.account_sid,
            auth_token=self.auth_token.get_secret_value(),
            from_number=self.from_number,
            base_url=self.base_url,
            requests_per_second=self.requests_per_second,
        )


class NetSuiteCredentials(EnvOverridableBlock):
    """NetSuite SuiteTalk REST with token-based authentication (OAuth 1.0a, HMAC-SHA256)."""

    _block_type_name = "csflows NetSuite"
    _env_prefix: ClassVar[str] = "CSFLOWS_NETSUITE_"
    account_id: str = ""
    consumer_key: str = ""
    consumer_secret: SecretStr = SecretStr("")
    token_id: str = ""
    token_secret: SecretStr = SecretStr("")
    base_url: str = ""  # https://<account>.suitetalk.api.netsuite.com/services/rest
    requests_per_second: float = Field(
        5.0, ge=0, description="the provider's quota, for the whole team"
    )

    @property
    def configured(self) -> bool:
        return bool(self.account_id and self.consumer_key and self.token_id and self.base_url)


class StoreConnection(EnvOverridableBlock):
    """The csflows store; empty means SQLite under CSFLOWS_HOME."""

    _block_type_name = "csflows Store"
    _env_names: ClassVar[dict[str, str]] = {"database_url": "CSFLOWS_DATABASE_URL"}
    database_url: SecretStr | None = None
