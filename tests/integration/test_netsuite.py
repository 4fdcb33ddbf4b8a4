"""The NetSuite adapter against a local SuiteTalk REST server that checks the token-based
authentication (OAuth 1.0a, HMAC-SHA256) the way NetSuite does, with oauthlib's implementation."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from csflows import netsuite
from csflows.errors import ApiError
from csflows.models import NewCustomerInquiry
from csflows.vetting import onboarding
from csflows.vetting.inquiries import InquiryRecord
from csflows.vetting.policy import approval_policy
from tasks.vetting import netsuite_customer_task
from tests.support.servers import HttpServer
from tests.support.suitetalk import netsuite_settings, suitetalk

pytestmark = pytest.mark.integration


@pytest.fixture
def netsuite_env(
    http_server: HttpServer, monkeypatch: pytest.MonkeyPatch
) -> dict[str, dict[str, Any]]:
    records: dict[str, dict[str, Any]] = {}
    suitetalk(http_server, records)
    for key, value in netsuite_settings(http_server).items():
        monkeypatch.setenv(f"CSFLOWS_NETSUITE_{key}", value)
    return records


FORM = NewCustomerInquiry(
    business_name="Paper Lantern Crafts LLC",
    email="ana@paperlanterncrafts.com",
    phone="+1 312 555 0142",
    division="Craft & Hobby",
)


def test_customer_is_upserted_once_with_a_valid_signature(
    store_ready: Path, http_server: HttpServer, netsuite_env: dict[str, dict[str, Any]]
) -> None:
    inquiry_id = InquiryRecord.receive(FORM.model_dump(mode="json"), "run-1").inquiry_id
    customer = onboarding.new_customer(inquiry_id, FORM, approval_policy())
    onboarding.save_new_customer(inquiry_id, customer, "PO-1", Decimal("500"))
    first = netsuite_customer_task.fn(inquiry_id, customer)
    again = netsuite_customer_task.fn(inquiry_id, customer)  # a re-run: the id is known, no call
    assert first == again == "1000"
    record = netsuite_env[f"csflows-inquiry-{inquiry_id}"]
    assert record["companyName"] == "Paper Lantern Crafts LLC" and record["isPerson"] is False
    assert len(http_server.calls("/services/rest/record/v1/customer/")) == 1
    assert onboarding.netsuite_id(customer.id) == "1000"


def test_wrong_secret_is_refused_with_netsuites_message(
    store_ready: Path,
    http_server: HttpServer,
    netsuite_env: dict[str, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CSFLOWS_NETSUITE_TOKEN_SECRET", "wrong")
    customer = onboarding.new_customer(6, FORM, approval_policy())
    with pytest.raises(ApiError, match=r"netsuite: Unauthorized \(HTTP 401\)"):
        netsuite_customer_task.fn(6, customer)
    assert len(http_server.calls("/services/rest")) == 1  # a 4xx is not retried


def test_not_configured_means_store_only(store_ready: Path) -> None:
    customer = onboarding.new_customer(7, FORM, approval_policy())
    assert netsuite_customer_task.fn(7, customer) is None


def test_signature_matches_the_rfc_5849_example_shape() -> None:
    header = netsuite.authorization(
        "GET", "https://x.example/a?b=1", "acct", "ck", "cs", "tk", "ts", nonce="n", timestamp=1
    )
    assert header.startswith('OAuth realm="ACCT", oauth_consumer_key="ck", oauth_token="tk"')
    assert 'oauth_signature_method="HMAC-SHA256"' in header
