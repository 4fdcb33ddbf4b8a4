"""The NetSuite adapter against a local SuiteTalk REST server that checks the token-based
authentication (OAuth 1.0a, HMAC-SHA256) the way NetSuite does, with oauthlib's implementation."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from oauthlib.oauth1.rfc5849 import signature as oauth_signature

from csflows import netsuite
from csflows.errors import ApiError
from csflows.models import NewCustomerInquiry
from csflows.vetting import onboarding
from csflows.vetting.inquiries import InquiryRecord
from csflows.vetting.policy import approval_policy
from tasks.crm import netsuite_customer_task
from tests.support.servers import HttpServer, Reply, Request

pytestmark = pytest.mark.integration

SECRETS = {"consumer_secret": "cs-secret", "token_secret": "tk-secret"}


def suitetalk(http: HttpServer, records: dict[str, dict[str, Any]]) -> None:
    """PUT/GET record/v1/customer/eid:<id>: 401 unless the OAuth signature verifies."""

    def verified(req: Request) -> bool:
        header = req.headers.get("Authorization", "")
        params = dict(
            oauth_signature.collect_parameters(
                headers={"Authorization": header}, exclude_oauth_signature=False, with_realm=True
            )
        )
        if (
            params.get("oauth_signature_method") != "HMAC-SHA256"
            or params.get("realm") != "TSTDRV_123"
        ):
            return False
        uri = f"{http.url}{req.path}"
        normalized = oauth_signature.normalize_parameters(
            [(k, v) for k, v in params.items() if k not in ("oauth_signature", "realm")]
        )
        base = oauth_signature.signature_base_string(
            req.method, oauth_signature.base_string_uri(uri), normalized
        )
        expected = oauth_signature.sign_hmac_sha256(
            base, SECRETS["consumer_secret"], SECRETS["token_secret"]
        )
        return bool(params["oauth_signature"] == expected)

    def handle(req: Request) -> Reply:
        if not verified(req):
            return Reply(
                401,
                {
                    "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2",
                    "title": "Unauthorized",
                    "status": 401,
                    "o:errorDetails": [
                        {"detail": "Invalid login attempt.", "o:errorCode": "INVALID_LOGIN"}
                    ],
                },
            )
        external = req.path.rsplit("eid:", 1)[-1]
        if req.method == "GET":
            return (
                Reply(200, records[external])
                if external in records
                else Reply(404, {"title": "Not Found"})
            )
        record = records.setdefault(external, {"id": str(1000 + len(records))})
        record.update(req.json())
        return Reply(
            204, b"", {"Location": f"{http.url}/services/rest/record/v1/customer/{record['id']}"}
        )

    http.route("PUT", "/services/rest/record/v1/customer/", handle)
    http.route("GET", "/services/rest/record/v1/customer/", handle)


def netsuite_settings(http: HttpServer) -> dict[str, str]:
    """The NetSuiteCredentials values (CSFLOWS_NETSUITE_<KEY>) for the local SuiteTalk server."""
    return {
        "ACCOUNT_ID": "tstdrv-123",
        "CONSUMER_KEY": "ck",
        "CONSUMER_SECRET": SECRETS["consumer_secret"],
        "TOKEN_ID": "tk",
        "TOKEN_SECRET": SECRETS["token_secret"],
        "BASE_URL": f"{http.url}/services/rest",
    }


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
