"""The 40 applicant cases of issue 22 (tests/fixtures/vetting/README.md), each site served on
127.0.0.1 and read by the real fetcher: csflows reaches the verdicts a careful supervisor reached
and quotes the sentences that decided them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import applicant_cases
from tests.support.sites import SiteServer

pytestmark = pytest.mark.integration

CASES = applicant_cases.cases()


@pytest.fixture(scope="module")
def sites() -> Iterator[SiteServer]:
    server = SiteServer().start()
    yield server
    server.stop()


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_each_applicant_is_judged_as_a_supervisor_judged_it(
    case: dict[str, Any], sites: SiteServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSFLOWS_RESOLVE", sites.resolve_entry(applicant_cases.host_of(case)))
    amazon, website = applicant_cases.run(sites, case)
    outcome = applicant_cases.judge(case, amazon, website)
    assert outcome.amazon_met, (case["expected"]["why"], amazon.evidence)
    assert outcome.website_met, (case["expected"]["why"], website.evidence)
    assert outcome.missing_evidence == []
