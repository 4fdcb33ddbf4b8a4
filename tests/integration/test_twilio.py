"""The Twilio client against a local server speaking Twilio's Messages API shapes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from blocks import TwilioCredentials, resolve
from csflows.clients.twilio import TwilioClient, e164
from csflows.errors import ApiError, PhoneNumberError, TransientApiError
from csflows.outbox import OutgoingSms
from csflows.outbox import send_sms as send_sms_once
from tests.support.retention import twilio_fixture  # noqa: F401
from tests.support.servers import Reply
from tests.support.twilio import ACCOUNT_SID, FROM_NUMBER, INVALID_TO, FakeTwilio

pytestmark = pytest.mark.integration


def _sender() -> TwilioClient:
    return resolve(TwilioCredentials).client()


def test_send_posts_form_with_basic_auth_and_reads_the_message(
    store_ready: Path, twilio: FakeTwilio
) -> None:
    receipt = resolve(TwilioCredentials).client().send_sms("+13125550101", "Hello & welcome")
    assert receipt.sid.startswith("SM") and receipt.status == "queued"
    [request] = twilio.posts()
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.body.decode()) == {
        "To": ["+13125550101"],
        "From": [FROM_NUMBER],
        "Body": ["Hello & welcome"],
    }
    client, since = resolve(TwilioCredentials).client(), datetime.now(UTC) - timedelta(seconds=5)
    assert client.find_sent("+13125550101", "Hello & welcome", since) == receipt.sid
    assert client.find_sent("+13125550101", "Other text", since) is None
    # The same text sent in an earlier cycle is not mistaken for this attempt.
    assert client.find_sent("+13125550101", "Hello & welcome", since + timedelta(hours=1)) is None
    assert twilio.server.calls(twilio.path)[-1].query["DateSent>"] == [since.date().isoformat()]


def test_twilio_error_body_names_the_problem(store_ready: Path, twilio: FakeTwilio) -> None:
    with pytest.raises(ApiError) as err:
        resolve(TwilioCredentials).client().send_sms(INVALID_TO, "Hi")
    assert str(err.value) == (
        "twilio: The 'To' number +15005550001 is not a valid phone number. (HTTP 400)"
    )
    assert not isinstance(err.value, TransientApiError) and len(twilio.posts()) == 1


def test_wrong_token_is_not_retried(
    store_ready: Path, twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSFLOWS_TWILIO_AUTH_TOKEN", "wrong")
    with pytest.raises(ApiError, match=r"twilio: Authenticate \(HTTP 401\)"):
        resolve(TwilioCredentials).client().send_sms("+13125550101", "Hi")
    assert len(twilio.posts()) == 1


def test_a_503_fails_the_try_and_the_tasks_retry_sends_the_sms_once(
    store_ready: Path, twilio: FakeTwilio
) -> None:
    answers = iter([Reply(503, {"code": 20500, "message": "Service unavailable", "status": 503})])
    create = twilio._create
    twilio.server.route("POST", twilio.path, lambda r: next(answers, None) or create(r))
    sms = OutgoingSms(key="sms-1", to="+13125550101", body="Hi")
    with pytest.raises(TransientApiError, match=r"twilio: Service unavailable \(HTTP 503\)"):
        send_sms_once(sms, _sender())  # one request: retrying is the task's
    assert len(twilio.posts()) == 1
    delivery = send_sms_once(sms, _sender())  # the task's retry
    assert delivery.status == "sent" and len(twilio.posts()) == 2 and len(twilio.created) == 1
    again = send_sms_once(sms, _sender())
    assert again.status == "already_sent" and again.message_id == delivery.message_id
    assert len(twilio.posts()) == 2


def test_phone_numbers_become_e164() -> None:
    assert e164("+1 312 555 0101") == "+13125550101"
    assert e164("(312) 555-0101") == "+13125550101"
    with pytest.raises(PhoneNumberError, match="phone: 'call me' is not a phone number"):
        e164("call me")
    with pytest.raises(PhoneNumberError, match="not a possible phone number"):
        e164("+1 312")
