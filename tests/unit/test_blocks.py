"""Blocks: environment variables override saved values; secrets stay secret."""

from __future__ import annotations

import pytest

from blocks import GoogleMapsCredentials, SmtpServer, resolve


def test_environment_overrides_block_values() -> None:
    saved = SmtpServer(host="mail.example.com", port=587, starttls=True, mail_from="cs@example.com")
    merged = saved.with_env(
        {
            "CSFLOWS_SMTP_PORT": "2525",
            "CSFLOWS_SMTP_STARTTLS": "false",
            "CSFLOWS_MAIL_FROM": "other@example.com",
        }
    )
    assert (merged.host, merged.port, merged.starttls, merged.mail_from) == (
        "mail.example.com",
        2525,
        False,
        "other@example.com",
    )


def test_secret_is_not_shown() -> None:
    smtp = resolve(SmtpServer, environ={"CSFLOWS_SMTP_PASSWORD": "hunter2"})
    assert smtp.password is not None and smtp.password.get_secret_value() == "hunter2"
    assert "hunter2" not in repr(smtp) and "hunter2" not in str(smtp.model_dump())


def test_google_variables_follow_the_documented_names() -> None:
    google = resolve(
        GoogleMapsCredentials,
        environ={
            "CSFLOWS_GOOGLE_MAPS_API_KEY": "k",
            "CSFLOWS_PLACES_BASE_URL": "http://127.0.0.1:1",
        },
    )
    assert google.api_key is not None and google.api_key.get_secret_value() == "k"
    assert google.places_base_url == "http://127.0.0.1:1"


def test_bad_boolean_names_the_variable() -> None:
    with pytest.raises(ValueError, match="CSFLOWS_SMTP_STARTTLS: expected true or false"):
        SmtpServer.env_values({"CSFLOWS_SMTP_STARTTLS": "maybe"})


def test_each_machines_share_of_a_quota_comes_from_its_variable() -> None:
    """With several worker machines each gets quota / N (deployments/README.md)."""
    from blocks import NetSuiteCredentials, TwilioCredentials

    environ = {
        "CSFLOWS_TWILIO_REQUESTS_PER_SECOND": "12.5",
        "CSFLOWS_NETSUITE_REQUESTS_PER_SECOND": "2",
    }
    assert resolve(TwilioCredentials, None, environ).requests_per_second == 12.5
    assert resolve(NetSuiteCredentials, None, environ).requests_per_second == 2
    assert resolve(TwilioCredentials, None, {}).requests_per_second == 25
