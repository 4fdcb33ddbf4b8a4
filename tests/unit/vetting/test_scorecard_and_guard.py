"""The assessment's JSON shape; the fetcher's guard classifies addresses; pins parse."""

from __future__ import annotations

import pytest

from csflows.clients.website import Pin, parse_pins, refusal
from csflows.models import Assessment, CheckResult, Evidence, Recommendation, Verdict
from csflows.vetting.scorecard import assessment_json


def _assessment(fact: str, link: str | None = None) -> Assessment:
    evidence = [Evidence(source="website", fact=fact, link=link)]
    result = CheckResult(criterion="website", verdict=Verdict.REVIEW, evidence=evidence)
    return Assessment(recommendation=Recommendation.REVIEW, criteria={"website": result})


def test_json_shape() -> None:
    out = assessment_json(_assessment("title: ok"))
    assert out == {
        "recommendation": "review",
        "missing_fields": [],
        "criteria": {
            "website": {
                "verdict": "review",
                "evidence": [{"source": "website", "fact": "title: ok", "link": None}],
            }
        },
    }


@pytest.mark.parametrize(
    ("address", "label"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "not public"),  # carrier-grade NAT
        ("fd00::1", "private"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped IPv6
    ],
)
def test_guard_refuses_non_public_addresses(address: str, label: str) -> None:
    reason = refusal(address)
    assert reason is not None and label in reason


def test_guard_allows_public_addresses() -> None:
    assert refusal("93.184.216.34") is None and refusal("2606:2800:220:1::1") is None


def test_resolve_entries_like_curl() -> None:
    assert parse_pins("shop.test:443:127.0.0.1, www.shop.test:80:[::1]") == {
        ("shop.test", 443): Pin("127.0.0.1", 443),
        ("www.shop.test", 80): Pin("::1", 80),
    }


def test_a_pin_may_name_the_port_to_connect_to_like_curls_connect_to() -> None:
    assert parse_pins("shop.test:443:127.0.0.1:8443,www.shop.test:443:[::1]:8443") == {
        ("shop.test", 443): Pin("127.0.0.1", 8443),
        ("www.shop.test", 443): Pin("::1", 8443),
    }
    assert parse_pins("v6.shop.test:443:::1") == {("v6.shop.test", 443): Pin("::1", 443)}
    with pytest.raises(
        ValueError, match="CSFLOWS_RESOLVE: 'shop.test:443' is not host:port:address"
    ):
        parse_pins("shop.test:443")
