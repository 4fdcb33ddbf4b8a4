"""assess_inquiry as a Prefect flow against local Google, RDAP and web servers, the
`csflows vet --no-gate` command that runs it, and the checks inside vet-new-customer's own run."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from prefect import flow, get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterId,
    FlowRunFilterParentFlowRunId,
)
from prefect.client.schemas.sorting import FlowRunSort, TaskRunSort
from prefect.settings import PREFECT_RESULTS_LOCAL_STORAGE_PATH, temporary_settings
from typer.testing import CliRunner

from cli import app
from csflows.errors import EXIT_CODES, ConfigError, InputError
from csflows.models import CRITERIA, Assessment, NewCustomerInquiry, Recommendation, Verdict
from csflows.vetting.inquiries import InquiryRecord
from flows.vetting import assess_inquiry, vet_new_customer
from tasks.vetting import assess
from tests.support import google
from tests.support.inquiries import applicant_online, form_data, inquiry
from tests.support.scanned_forms import scanned_form
from tests.support.servers import HttpServer, Reply, SmtpServer


@pytest.fixture
def world(
    http_server: HttpServer, monkeypatch: pytest.MonkeyPatch, store_ready: object
) -> Iterator[tuple[HttpServer, str]]:
    """Google and RDAP on one local server, the applicant's site on another."""
    with applicant_online(http_server, monkeypatch) as url:
        yield http_server, url


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
    assert "$200.00 is below" in out["criteria"]["minimums"]["evidence"][0]["fact"]


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
    assert gated.exit_code == EXIT_CODES[ConfigError] and "serves vet-new-customer" in gated.output


def test_vet_reads_a_scan_by_ocr(world: tuple[HttpServer, str], tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    path.write_bytes(scanned_form())
    result = CliRunner().invoke(app, ["vet", str(path), "--no-gate", "--json"])
    assert result.exit_code == 0, result.output
    missing = {m["field"] for m in json.loads(result.stdout)["missing_fields"]}
    assert "tax_id" in missing and not missing & {"business_name", "email", "address.city"}


def test_vet_names_a_malformed_file(tmp_path: Path) -> None:
    path = tmp_path / "form.json"
    path.write_text('{"business_name": ')
    result = CliRunner().invoke(app, ["vet", str(path), "--no-gate", "--json"])
    assert result.exit_code == EXIT_CODES[InputError] and "not valid JSON" in result.output


def test_the_run_is_named_and_tagged_with_the_division(world: tuple[HttpServer, str]) -> None:
    _, url = world
    state = assess_inquiry(inquiry(website=url), return_state=True)
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
    assert run.name == "assess-Paper Lantern Crafts LLC"
    assert "division:craft_hobby" in run.tags  # on the run, where the UI filters runs by tag


@flow(name="persisting-parent", persist_result=True)
def persisting_parent(form: NewCustomerInquiry) -> Assessment:
    return assess(form)


def test_the_checks_write_nothing_to_prefects_result_storage(
    world: tuple[HttpServer, str], tmp_path: Path
) -> None:
    """Even under a run that persists its results (vet-new-customer does): the assessment is
    kept in the store, so the check tasks need no input hashing and no result files."""
    _, url = world
    results = tmp_path / "results"
    with temporary_settings(updates={PREFECT_RESULTS_LOCAL_STORAGE_PATH: results}):
        assessment = persisting_parent(inquiry(website=url))
    assert assessment.recommendation is Recommendation.APPROVE
    assert len([p for p in results.rglob("*") if p.is_file()]) == 1  # the parent's own result


def _task_run_names(flow_run_id: UUID, expected: int, seconds: float = 30) -> list[str]:
    """The run's task runs (the server makes them from events, so they may come a bit later)."""
    deadline = time.monotonic() + seconds
    with get_client(sync_client=True) as client:
        while True:
            runs = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
                sort=TaskRunSort.ID_DESC,
                limit=50,
            )
            if len(runs) >= expected or time.monotonic() > deadline:
                return sorted(run.name for run in runs)
            time.sleep(0.5)


def test_vetting_runs_the_checks_as_its_own_tasks_up_to_the_gate(
    world: tuple[HttpServer, str], smtp_server: SmtpServer
) -> None:
    server, url = world
    with pytest.raises(RuntimeError, match="cannot be suspended"):  # the gate: tests/e2e
        vet_new_customer(form_data(website=url))
    [waiting] = InquiryRecord.awaiting_approval()
    inquiry_id, run_id = waiting.inquiry_id, UUID(str(waiting.flow_run_id))
    assert InquiryRecord.load(inquiry_id).show()["recommendation"] == "approve"
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(run_id)
        nested = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[run_id])
            ),
            sort=FlowRunSort.ID_DESC,
            limit=10,
        )
    assert run.name == f"vet-paper-lantern-crafts-llc-{inquiry_id}"
    assert "division:craft_hobby" in run.tags
    assert nested == []  # no assess-inquiry run inside: the checks are this run's tasks
    names = _task_run_names(run_id, expected=10)
    for task in ("check-address", "check-amazon", "check-website", "check-minimums"):
        assert any(name.startswith(task) for name in names), names
    assert len(smtp_server.to("cs-supervisor@example.com")) == 1  # asked once
    assert len(server.calls("/v1:validateAddress")) == 1  # looked up once
