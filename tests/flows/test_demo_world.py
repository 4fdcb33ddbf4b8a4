"""The demo's sample applicants, checked against the demo world's stand-ins for Google Maps, RDAP
and their websites (deployments/stand_ins/world.py), get the recommendations the demo shows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from csflows.models import CRITERIA, Assessment, Recommendation, Verdict
from csflows.paths import config_dir
from csflows.vetting.forms.reading import read_form
from deployments.stand_ins.world import StandInWorld, point_at
from flows.vetting import assess_inquiry

INQUIRIES = config_dir() / "demo" / "inquiries"


@pytest.fixture(scope="module")
def world() -> Iterator[StandInWorld]:
    world = StandInWorld().start()
    yield world
    world.stop()


@pytest.fixture
def in_the_world(
    world: StandInWorld, monkeypatch: pytest.MonkeyPatch, store_ready: Path
) -> StandInWorld:
    environ: dict[str, str] = {}
    point_at(world, environ)
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    return world


def assessed(sample: str) -> Assessment:
    return assess_inquiry(*read_form(INQUIRIES / sample))


def verdicts(assessment: Assessment) -> dict[str, Verdict]:
    return {name: check.verdict for name, check in assessment.criteria.items()}


@pytest.mark.parametrize("sample", ["1-craft-store.json", "4-approved-awaiting-first-po.json"])
def test_a_clean_applicant_passes_every_criterion(in_the_world: StandInWorld, sample: str) -> None:
    assessment = assessed(sample)
    assert verdicts(assessment) == dict.fromkeys(CRITERIA, Verdict.PASS), assessment
    assert assessment.recommendation is Recommendation.APPROVE


def test_the_amazon_seller_is_declined_for_amazon_by_its_form_and_its_site(
    in_the_world: StandInWorld,
) -> None:
    assessment = assessed("2-amazon-seller.json")
    assert assessment.recommendation is Recommendation.DECLINE
    amazon = assessment.criteria["amazon"]
    assert amazon.verdict is Verdict.FAIL
    assert any(
        "amazon.com/sp?seller=A2PRIMEFLOATS" in (e.fact + str(e.link)) for e in amazon.evidence
    )
    assert assessment.criteria["address"].verdict is Verdict.FAIL  # a PO box


def test_the_incomplete_form_is_returned_without_a_lookup(in_the_world: StandInWorld) -> None:
    before = len(in_the_world.apis.requests)
    assessment = assessed("3-incomplete.json")
    assert assessment.recommendation is Recommendation.INCOMPLETE
    assert {m.field for m in assessment.missing_fields} >= {"address.city", "website", "tax_id"}
    assert len(in_the_world.apis.requests) == before


def test_nothing_outside_the_demo_is_known_to_the_stand_ins(in_the_world: StandInWorld) -> None:
    """A stranger's address and domain are not confirmed: the world only knows the samples."""
    form, problems = read_form(INQUIRIES / "1-craft-store.json")
    stranger = form.model_copy(
        update={
            "website": "https://unknown-shop.example",
            "address": form.address.model_copy(update={"street": "9 Elsewhere Rd"}),
        }
    )
    assessment = assess_inquiry(stranger, problems)
    assert verdicts(assessment)["address"] is Verdict.REVIEW
    assert verdicts(assessment)["website"] is Verdict.FAIL  # the name does not resolve
