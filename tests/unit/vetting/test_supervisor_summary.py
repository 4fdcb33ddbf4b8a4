"""The supervisor's vetting mail shows one line per check: for a fail or a review it is why
(the reason), never the evidence that would have made the check pass."""

from __future__ import annotations

from datetime import UTC, datetime

from csflows.clients.website import FetchFault
from csflows.divisions import divisions
from csflows.models import Assessment, Recommendation, Verdict
from csflows.vetting.criteria.address import offline_verdict
from csflows.vetting.criteria.amazon import amazon_verdict, page_signals
from csflows.vetting.criteria.errored import errored_check
from csflows.vetting.criteria.minimums import minimums_verdict
from csflows.vetting.criteria.products import products_verdict
from csflows.vetting.criteria.website import website_verdict
from csflows.vetting.letters import criteria_lines
from tests.support.inquiries import inquiry

SHOP = "<title>Paper Lantern</title><h1>Paper Lantern Crafts</h1><p>Scrapbooking since 1998.</p>"


def _lines(**results: object) -> list[str]:
    assessment = Assessment(recommendation=Recommendation.REVIEW, criteria=results)
    return criteria_lines(assessment)


def test_an_unread_site_is_the_amazon_reviews_reason_not_the_unticked_box() -> None:
    """The new team's copper-kettle mail said `amazon: review (the box says the applicant does
    not sell on Amazon)`: the evidence for a pass."""
    amazon = amazon_verdict(inquiry(sells_on_amazon=False), None)
    assert amazon.verdict is Verdict.REVIEW
    assert _lines(amazon=amazon) == [
        "amazon: review (the website could not be read for Amazon mentions)"
    ]


def test_a_website_review_shows_what_could_not_be_checked_not_the_title() -> None:
    website = website_verdict(
        inquiry(),
        final_url="https://paperlanterncrafts.com/",
        status=200,
        page_html=SHOP,
        fetch_error=None,
        registered=None,
        registration_note=None,
        registration_error="rdap: cannot connect: ConnectionError",
        min_age_days=180,
        fetch_fault=FetchFault.SITE,
    )
    assert website.evidence[0].fact == "title: Paper Lantern"
    [line] = _lines(website=website)
    assert line == (
        "website: review (the domain's age could not be looked up: rdap: cannot connect: "
        "ConnectionError)"
    )


def test_a_pass_still_shows_its_first_evidence() -> None:
    amazon = amazon_verdict(inquiry(sells_on_amazon=False), page_signals(SHOP), "https://x.test/")
    assert amazon.verdict is Verdict.PASS
    assert _lines(amazon=amazon) == [
        "amazon: pass (the box says the applicant does not sell on Amazon)"
    ]


def test_every_fail_and_review_gives_a_reason_from_its_evidence() -> None:
    craft = divisions().get("Craft & Hobby")
    results = [
        amazon_verdict(inquiry(sells_on_amazon=True), None),
        offline_verdict(inquiry(address={"street": "PO Box 4411"})),
        offline_verdict(inquiry()),
        products_verdict(inquiry(product_lines=["stuff"]), craft),
        products_verdict(inquiry(), None),
        minimums_verdict(inquiry(first_order_amount=10), craft),
        minimums_verdict(inquiry(), None),
        errored_check("address", "google: HTTP 500"),
        website_verdict(
            inquiry(),
            final_url=None,
            status=None,
            page_html=None,
            fetch_error="redirect loop at https://paperlanterncrafts.com/",
            registered=datetime(2015, 3, 1, tzinfo=UTC),
            registration_note=None,
            min_age_days=180,
        ),
    ]
    for result in results:
        assert result.verdict is not Verdict.PASS, result
        assert result.reason, result
        facts = " ".join(e.fact for e in result.evidence)
        assert all(part in facts for part in result.reason.split("; ")), result
