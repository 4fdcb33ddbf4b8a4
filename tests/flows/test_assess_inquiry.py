"""assess_inquiry as a Prefect flow against local Google, RDAP and web servers, and the
`csflows vet --no-gate` command that runs it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from csflows.cli import app
from csflows.models import CRITERIA, Recommendation, Verdict
from flows.vetting_checks import assess_inquiry
from tests.support import google, rdap
from tests.support.inquiries import form_data, inquiry
from tests.support.servers import HttpServer, Reply
from tests.support.sites import Page, SiteServer

SHOP = "paperlanterncrafts.com"
HOME = "<title>Paper Lantern</title><h1>Paper Lantern Crafts</h1><p>Scrapbooking albums, stickers and paper crafting in Chicago since 1998.</p>"


@pytest.fixture
def world(
    http_server: HttpServer, monkeypatch: pytest.MonkeyPatch, store_ready: object
) -> Iterator[tuple[HttpServer, str]]:
    """Google and RDAP on one local server, the applicant's site on another."""
    sites = SiteServer().start()
    url = sites.site(SHOP, "/", Page(body=HOME))
    monkeypatch.setenv("CSFLOWS_RESOLVE", sites.resolve_entry(SHOP))
    monkeypatch.setenv("CSFLOWS_RDAP_BASE_URL", http_server.url)
    for key, value in google.environment(http_server.url).items():
        monkeypatch.setenv(key, value)
    http_server.route(
        "POST",
        "/v1:validateAddress",
        Reply(200, google.validation({"business": True, "residential": False})),
    )
    http_server.route(
        "POST", "/v1/places:searchText", Reply(200, google.places("Paper Lantern Crafts"))
    )
    http_server.route(
        "GET", f"/domain/{SHOP}", Reply(200, rdap.domain(SHOP, "2009-08-13T16:21:09Z"))
    )
    yield http_server, url
    assert len(sites.seen) <= 1  # one fetch of the site feeds the website and amazon checks
    sites.stop()


def test_incomplete_form_returns_missing_fields_without_calling_anything(
    world: tuple[HttpServer, str],
) -> None:
    server, url = world
    assessment = assess_inquiry(inquiry(website=url, email="", tax_id=None))
    assert assessment.recommendation is Recommendation.INCOMPLETE
    assert [m.field for m in assessment.missing_fields] == ["email", "tax_id"]
    assert assessment.criteria == {} and server.requests == []


def test_a_good_applicant_is_recommended_for_approval(world: tuple[HttpServer, str]) -> None:
    server, url = world
    assessment = assess_inquiry(inquiry(website=url))
    assert {k: v.verdict for k, v in assessment.criteria.items()} == dict.fromkeys(
        CRITERIA, Verdict.PASS
    )
    assert assessment.recommendation is Recommendation.APPROVE
    assert assessment.criteria["address"].api_calls == 2


def test_a_failing_api_is_a_review_not_a_crash(world: tuple[HttpServer, str]) -> None:
    server, url = world
    server.route(
        "POST",
        "/v1:validateAddress",
        Reply(
            403,
            google.error(
                403, "API key not valid. Please pass a valid API key.", "PERMISSION_DENIED"
            ),
        ),
    )
    assessment = assess_inquiry(inquiry(website=url))
    address = assessment.criteria["address"]
    assert address.verdict is Verdict.REVIEW
    assert "API key not valid" in address.evidence[0].fact and address.evidence[0].source == "error"
    assert assessment.recommendation is Recommendation.REVIEW
    assert len(server.calls("/v1:validateAddress")) == 1  # a 403 is never retried


def test_vet_no_gate_json_prints_the_documented_shape(
    world: tuple[HttpServer, str], tmp_path: Path
) -> None:
    _, url = world
    path = tmp_path / "form.json"
    path.write_text(json.dumps(form_data(website=url, first_order_amount="$200")))
    result = CliRunner().invoke(app, ["vet", str(path), "--no-gate", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)  # stdout is the JSON alone
    assert set(out) == {"recommendation", "missing_fields", "criteria"}
    assert out["recommendation"] == "decline" and out["missing_fields"] == []
    assert set(out["criteria"]) == set(CRITERIA)
    assert all(set(c) == {"verdict", "evidence"} for c in out["criteria"].values())
    assert out["criteria"]["minimums"]["verdict"] == "fail"
    assert "$200 is below" in out["criteria"]["minimums"]["evidence"][0]["fact"]


def test_vet_scorecard_and_the_gate_message(world: tuple[HttpServer, str], tmp_path: Path) -> None:
    path = tmp_path / "form.yaml"
    path.write_text("business_name: Paper Lantern\nphone: '12'\n")
    result = CliRunner().invoke(app, ["vet", str(path), "--no-gate"])
    assert result.exit_code == 0, result.output
    assert (
        "phone: is not a phone number" in result.stdout or "phone: is not a valid" in result.stdout
    )
    assert "Recommendation: INCOMPLETE" in result.stdout
    gated = CliRunner().invoke(app, ["vet", str(path)], env={"PREFECT_API_URL": ""})
    assert gated.exit_code == 1 and "serves vet-new-customer" in gated.output


def test_vet_names_a_malformed_file(tmp_path: Path) -> None:
    path = tmp_path / "form.json"
    path.write_text('{"business_name": ')
    result = CliRunner().invoke(app, ["vet", str(path), "--no-gate", "--json"])
    assert result.exit_code == 1 and "not valid JSON" in result.output
