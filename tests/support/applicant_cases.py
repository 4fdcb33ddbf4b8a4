"""The applicant cases (tests/fixtures/vetting/applicants*.jsonl: two writers, 70 cases): each applicant's site served
on 127.0.0.1 by its own name (CSFLOWS_RESOLVE), its form pointed at it, and the amazon and
website checks run as the product runs them: the guarded fetch of the home page and of the
pages linked from it, then the verdicts. What a careful supervisor concluded is `expected`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from csflows.clients.rdap import Registration
from csflows.models import CheckResult, NewCustomerInquiry, Verdict
from tests.support.sites import Page, SiteServer

FIXTURES = Path(__file__).parents[1] / "fixtures" / "vetting"
CASE_FILES = [FIXTURES / "applicants.jsonl", FIXTURES / "applicants-2.jsonl"]

AMAZON = {"sells": Verdict.FAIL, "does_not_sell": Verdict.PASS, "unclear": Verdict.REVIEW}
CHECK_AGAIN = re.compile(r"(?i)check\s+(?:it\s+)?again|re-?check|try\s+again|look\s+again")


def cases() -> list[dict[str, Any]]:
    """Every case of every writer's file, in file order."""
    return [
        json.loads(line)
        for path in CASE_FILES
        for line in path.read_text().splitlines()
        if line.strip()
    ]


def host_of(case: dict[str, Any]) -> str:
    return urlsplit(case["form"]["website"]).hostname or ""


def serve(sites: SiteServer, case: dict[str, Any]) -> NewCustomerInquiry:
    """Serve the case's pages under its own host name; the form, pointed at them."""
    host = host_of(case)
    for page in case["pages"]:
        sites.site(host, page["path"], Page(200, page["html"]))
    form = dict(case["form"], website=f"http://{host}:{sites.port}/")
    return NewCustomerInquiry.model_validate(form)


def old_registration(case: dict[str, Any]) -> Registration:
    """RDAP is not what the cases test: an old registration keeps the domain's age out of it."""
    return Registration(host_of(case), datetime(2012, 5, 1, tzinfo=UTC), "registered 2012")


def run(sites: SiteServer, case: dict[str, Any]) -> tuple[CheckResult, CheckResult]:
    """(amazon, website) for the case, through the same tasks the vetting flow submits."""
    from tasks.vetting import check_amazon, check_website, fetch_linked_pages, fetch_website

    form = serve(sites, case)
    page = fetch_website.fn(form.website or "")
    linked = fetch_linked_pages.fn(page)
    amazon = check_amazon.fn(form, page, linked)
    website = check_website.fn(form, page, old_registration(case), linked)
    return amazon, website


def expected_amazon(case: dict[str, Any]) -> Verdict:
    return AMAZON[case["expected"]["amazon"]]


def website_allowed(case: dict[str, Any]) -> set[Verdict]:
    """functioning: anything but fail; not functioning: fail, or review where the writer says
    to check again."""
    if case["expected"]["website"] == "functioning":
        return {Verdict.PASS, Verdict.REVIEW}
    if CHECK_AGAIN.search(case["expected"]["why"]):
        return {Verdict.FAIL, Verdict.REVIEW}
    return {Verdict.FAIL}


def normal(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text).lower().strip()


@dataclass(frozen=True)
class Outcome:
    """How one case came out against what the writer concluded."""

    case: str
    amazon: Verdict
    website: Verdict
    amazon_met: bool
    website_met: bool
    to_a_person: list[str]  # criteria where csflows says review and the writer was firm
    missing_evidence: list[str]  # deciding sentences the evidence does not quote

    @property
    def met(self) -> bool:
        return self.amazon_met and self.website_met and not self.missing_evidence


def judge(case: dict[str, Any], amazon: CheckResult, website: CheckResult) -> Outcome:
    amazon_met = amazon.verdict is expected_amazon(case)
    website_met = website.verdict in website_allowed(case)
    to_a_person = [
        name
        for name, result, met in (("amazon", amazon, amazon_met), ("website", website, website_met))
        if not met and result.verdict is Verdict.REVIEW
    ]
    return Outcome(
        case["id"],
        amazon.verdict,
        website.verdict,
        amazon_met,
        website_met,
        to_a_person,
        missing_evidence(case, amazon, website),
    )


BOX = {"true": "the box says the applicant sells", "false": "the box says the applicant does not"}


def _said(item: dict[str, str]) -> str:
    """What the evidence must quote: a page's sentence; a form field's answer (the box's as the
    scorecard words it)."""
    if item["page"] != "form" or ":" not in item["sentence"]:
        return item["sentence"]
    value = item["sentence"].split(":", 1)[1].strip()
    return BOX.get(
        value.lower(),
        "the box on selling on Amazon is not answered"
        if value.lower() in ("null", "none", "")
        else value,
    )


def missing_evidence(case: dict[str, Any], amazon: CheckResult, website: CheckResult) -> list[str]:
    """The writer's deciding sentences that decide a verdict csflows reached but does not quote:
    amazon's (form and pages) where it sells or does not, website's where it is not functioning."""
    results = {"amazon": amazon, "website": website}
    wanted = []
    for item in case["expected"]["evidence"]:
        result = results[item["criterion"]]
        if item["criterion"] == "website" and case["expected"]["website"] == "functioning":
            continue  # a working site's evidence is that it names the business, not a sentence
        if result.verdict is Verdict.REVIEW and item["criterion"] == "amazon":
            continue  # sent to a person: the evidence is what made it unsure
        if not _quoted(_said(item), result):
            wanted.append(f"{item['criterion']} {item['page']}: {item['sentence']}")
    return wanted


def _quoted(sentence: str, result: CheckResult) -> bool:
    """The evidence has the writer's sentence, or quotes a piece of it of two words or more
    (the writer may join what the page shows in two elements, or two sentences, as one)."""
    facts = " ".join(e.fact + " " + (e.link or "") for e in result.evidence)
    if normal(sentence) in normal(facts):
        return True
    pieces = [normal(q) for q in re.findall(r'"([^"]+)"', facts)]
    return any(len(p.split()) >= 2 and p in normal(sentence) for p in pieces)
