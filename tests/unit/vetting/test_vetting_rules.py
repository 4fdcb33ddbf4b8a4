"""The pure rules of the five criteria and the recommendation (seed 001)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from csflows.clients.website import FetchFault
from csflows.divisions import divisions
from csflows.errors import PolicyError
from csflows.models import CheckResult, MissingField, Recommendation, Verdict
from csflows.vetting.criteria.address import address_verdict, offline_verdict
from csflows.vetting.criteria.amazon import amazon_verdict, linked_pages, page_signals
from csflows.vetting.criteria.errored import errored_check
from csflows.vetting.criteria.minimums import minimums_verdict
from csflows.vetting.criteria.products import is_vague, products_verdict
from csflows.vetting.criteria.recommendation import recommend
from csflows.vetting.criteria.website import website_verdict
from csflows.vetting.policy import vetting_policy
from tests.support.inquiries import inquiry

CRAFT = divisions().get("craft_hobby")

# --- amazon ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        '<a href="https://www.amazon.com/sp?ie=UTF8&seller=A1B2C3D4E5">our store</a>',
        '<a href="https://www.amazon.co.uk/s?me=A2XYZ&marketplaceID=A1F83G8C2ARO7P">shop</a>',
        '<a href="https://amazon.de/stores/PaperLantern/page/1234">Store</a>',
        '<a href="https://amzn.to/3xYzAbc">buy</a>',
        "<a href='http://amzn.com/B000123'>item</a>",
        "<p>Find us on Amazon!</p>",
        "<p>All orders Fulfilled by Amazon.</p>",
        "<p>We are an Amazon seller since 2019</p>",
    ],
)
def test_amazon_fails_on_storefront_links_and_mentions(html: str) -> None:
    result = amazon_verdict(inquiry(), page_signals(html), "https://paperlanterncrafts.com/")
    assert result.verdict is Verdict.FAIL
    assert any(e.source == "website" for e in result.evidence)


def test_amazon_passes_a_site_without_amazon() -> None:
    html = '<a href="https://www.amazon.com/">Amazon</a> is a river; we sell scrapbooks in store.'
    assert amazon_verdict(inquiry(), page_signals(html)).verdict is Verdict.PASS


def test_amazon_fails_when_the_form_says_yes_and_reviews_without_a_page() -> None:
    yes = inquiry(sells_on_amazon=True, amazon_storefront="PaperLanternUS")
    result = amazon_verdict(yes, page_signals("<p>hello</p>"))
    assert result.verdict is Verdict.FAIL
    assert any("PaperLanternUS" in e.fact for e in result.evidence if e.source == "form")
    assert amazon_verdict(inquiry(), None).verdict is Verdict.REVIEW


def test_linked_pages_are_same_site_pages_a_person_opens_in_order_and_capped() -> None:
    html = (
        '<a href="/">Home</a><a href="/about">About</a><a href="https://www.shop.example/store">'
        'Store</a><a href="https://other.example/about">About them</a><a href="mailto:a@b.c">'
        'Mail</a><a href="/contact">Contact</a><a href="/find-us">Visit</a>'
    )
    assert linked_pages(html, "https://shop.example/", 5) == [
        "https://shop.example/about",
        "https://www.shop.example/store",
        "https://shop.example/find-us",
        "https://shop.example/contact",  # contact last, whatever its place on the page
    ]
    assert linked_pages(html, "https://shop.example/", 1) == ["https://shop.example/about"]


def test_a_small_sites_other_menu_pages_are_read_after_the_known_kinds_but_not_its_cart() -> None:
    html = (
        '<a href="/journals">Journals</a><a href="/cart">Cart</a><a href="/account/login">'
        'Log in</a><a href="/privacy-policy">Privacy</a><a href="/about">The Bindery</a>'
        '<a href="/our-promise">Our Promise</a><a href="/catalog.pdf">Catalogue</a>'
    )
    assert linked_pages(html, "https://bindery.example/", 4) == [
        "https://bindery.example/about",
        "https://bindery.example/journals",
        "https://bindery.example/our-promise",
    ]


def test_amazon_fails_on_a_linked_page_and_names_it() -> None:
    result = amazon_verdict(
        inquiry(),
        page_signals("<p>hello</p>"),
        "https://shop.example/",
        [("https://shop.example/about", page_signals("<p>We sell on Amazon</p>"))],
    )
    assert result.verdict is Verdict.FAIL
    assert result.evidence[-2].fact == (
        'https://shop.example/about says "We sell on Amazon" (sells on Amazon)'
    )


# --- products ----------------------------------------------------------------------------------


def test_products_pass_on_a_fuzzy_catalog_match() -> None:
    result = products_verdict(inquiry(product_lines=["scrapbook album"]), CRAFT)
    assert result.verdict is Verdict.PASS
    assert "Scrapbooking albums" in result.evidence[-1].fact


@pytest.mark.parametrize(
    "lines", [["everything"], ["All your products"], [""], [], ["garden gnomes"]]
)
def test_products_review_when_vague_or_unmatched(lines: list[str]) -> None:
    assert products_verdict(inquiry(product_lines=lines), CRAFT).verdict is Verdict.REVIEW


ALL_DIVISIONS = divisions().divisions


@pytest.mark.parametrize("lines", [["Pool floats"], ["pool loungers", "glitter"]])
def test_products_fail_when_every_line_named_is_made_only_by_another_division(
    lines: list[str],
) -> None:
    result = products_verdict(inquiry(product_lines=lines), CRAFT, others=ALL_DIVISIONS)
    assert result.verdict is Verdict.FAIL
    assert "a line Craft & Hobby does not make" in result.evidence[-1].fact


def test_products_pass_when_one_line_is_the_divisions_even_if_another_is_not() -> None:
    lines = ["Pool floats", "Stickers"]
    result = products_verdict(inquiry(product_lines=lines), CRAFT, others=ALL_DIVISIONS)
    assert result.verdict is Verdict.PASS


@pytest.mark.parametrize("lines", [["Pool floats", "garden gnomes"], ["everything"], []])
def test_products_review_when_not_every_line_is_known_elsewhere(lines: list[str]) -> None:
    result = products_verdict(inquiry(product_lines=lines), CRAFT, others=ALL_DIVISIONS)
    assert result.verdict is Verdict.REVIEW


def test_products_review_when_the_division_lists_no_product_lines() -> None:
    adv = divisions().get("adv_ii_isd")
    result = products_verdict(inquiry(product_lines=["Stickers"]), adv, others=ALL_DIVISIONS)
    assert result.verdict is Verdict.REVIEW
    assert "no product lines are listed for ADV II & ISD" in result.evidence[-1].fact


def test_vague_answers() -> None:
    assert is_vague("Anything!") and is_vague(" ") and not is_vague("Stickers")


# --- minimums ----------------------------------------------------------------------------------


def test_minimums_pass_and_fail_with_numbers() -> None:
    assert minimums_verdict(inquiry(), CRAFT).verdict is Verdict.PASS
    low = minimums_verdict(inquiry(first_order_amount=200, annual_purchases=5000), CRAFT)
    assert low.verdict is Verdict.FAIL
    facts = " ".join(e.fact for e in low.evidence)
    assert "$200.00 is below the Craft & Hobby minimum of $350.00" in facts
    assert "$5,000.00 is below the Craft & Hobby minimum of $10,000.00" in facts


def test_minimums_use_the_annual_figure_of_the_payment_method() -> None:
    card = inquiry(payment_method="credit_card", annual_purchases=Decimal("2500"))
    assert minimums_verdict(card, CRAFT).verdict is Verdict.PASS
    terms = inquiry(payment_method="terms", annual_purchases=Decimal("2500"))
    assert minimums_verdict(terms, CRAFT).verdict is Verdict.FAIL


def test_minimums_review_when_the_division_has_no_figure() -> None:
    result = minimums_verdict(inquiry(division="COP"), divisions().get("cop"))
    assert (
        result.verdict is Verdict.REVIEW and "no minimum-order figures" in result.evidence[0].fact
    )


# --- recommendation ----------------------------------------------------------------------------


def _criteria(*verdicts: Verdict) -> dict[str, CheckResult]:
    return {str(i): CheckResult(criterion=str(i), verdict=v) for i, v in enumerate(verdicts)}


def test_recommendation_order() -> None:
    missing = [MissingField(field="email", reason="please give an email address")]
    assert recommend(missing, _criteria(Verdict.PASS)) is Recommendation.INCOMPLETE
    assert (
        recommend([], _criteria(Verdict.PASS, Verdict.REVIEW, Verdict.FAIL))
        is Recommendation.DECLINE
    )
    assert recommend([], _criteria(Verdict.PASS, Verdict.REVIEW)) is Recommendation.REVIEW
    assert recommend([], _criteria(Verdict.PASS, Verdict.PASS)) is Recommendation.APPROVE


def test_an_errored_check_is_a_review_with_the_error() -> None:
    result = errored_check("address", RuntimeError("google.addressvalidation: quota (HTTP 429)"))
    assert result.verdict is Verdict.REVIEW and "quota (HTTP 429)" in result.evidence[0].fact


# --- address (the answers' interpretation; the API shapes are in the integration tests) --------


def test_offline_address_never_passes() -> None:
    assert offline_verdict(inquiry(address={"street": "PO Box 4411"})).verdict is Verdict.FAIL
    assert offline_verdict(inquiry(address={"street": "P.O. Box 12"})).verdict is Verdict.FAIL
    assert offline_verdict(inquiry()).verdict is Verdict.REVIEW
    apartment = offline_verdict(inquiry(address={"unit": "Apt 3B"}))
    assert apartment.verdict is Verdict.REVIEW and "apartment" in apartment.evidence[1].fact


def test_address_unknown_metadata_without_places_is_review() -> None:
    result = address_verdict(inquiry(), {"result": {"metadata": {}}}, places=[])
    assert result.verdict is Verdict.REVIEW
    assert "business: unknown" in result.evidence[0].fact


def test_normalized_address_ignores_case_and_punctuation() -> None:
    a = inquiry(address={"street": "233 S. Wacker Dr.", "unit": "Suite 400"}).address
    b = inquiry(address={"street": "233 s wacker dr", "unit": "suite  400"}).address
    assert a.normalized() == b.normalized()


# --- website -----------------------------------------------------------------------------------


def _website(html: str | None = None, **kw: object) -> CheckResult:
    values: dict = {
        "final_url": "https://paperlanterncrafts.com/",
        "status": 200,
        "page_html": html
        if html is not None
        else "<title>Paper Lantern</title><h1>Paper Lantern Crafts</h1><p>Scrapbooking in Chicago since 1998.</p>",
        "fetch_error": None,
        "registered": datetime(2015, 3, 1, tzinfo=UTC),
        "registration_note": None,
        "min_age_days": 180,
    }
    values.update(kw)
    return website_verdict(inquiry(), **values)


def test_website_rules() -> None:
    assert _website().verdict is Verdict.PASS
    assert _website(fetch_error="redirect loop at https://paperlanterncrafts.com/").verdict is (
        Verdict.FAIL
    )
    assert _website(status=503).verdict is Verdict.FAIL
    parked = _website(
        "<html><title>paperlanterncrafts.com</title>This domain is for sale! Buy this domain.</html>"
    )
    assert parked.verdict is Verdict.FAIL and "parked" in parked.evidence[-1].fact
    building = _website("<h1>Paper Lantern</h1><p>Our new website is under construction.</p>")
    assert building.verdict is Verdict.FAIL
    young = _website(registered=datetime.now(UTC) - timedelta(days=30))
    assert young.verdict is Verdict.REVIEW and "younger than 180 days" in young.evidence[-1].fact
    stranger = _website(
        "<title>Joe's Garage</title><p>Oil changes and brake repairs, open daily.</p>"
    )
    assert stranger.verdict is Verdict.REVIEW


def test_website_that_could_not_be_checked_is_a_review_not_a_fail() -> None:
    slow = _website(
        fetch_error="https://paperlanterncrafts.com/: timed out", fetch_fault=FetchFault.TIMEOUT
    )
    assert slow.verdict is Verdict.REVIEW
    assert slow.evidence[-1].fact == (
        "the website did not answer in time: https://paperlanterncrafts.com/: timed out"
    )
    ageless = _website(registered=None, registration_error="rdap: timed out after 10s")
    assert ageless.verdict is Verdict.REVIEW and ageless.evidence[-1].source == "rdap"
    assert "could not be looked up: rdap: timed out after 10s" in ageless.evidence[-1].fact


def test_no_https_is_evidence_not_failure() -> None:
    result = _website(final_url="http://paperlanterncrafts.com/")
    assert result.verdict is Verdict.PASS
    assert any("does not use HTTPS" in e.fact for e in result.evidence)


def test_vetting_policy_errors_name_file_key_and_value(tmp_path: Path) -> None:
    path = tmp_path / "vetting.yaml"
    path.write_text("website:\n  min_domain_age_days: -5\n")
    with pytest.raises(
        PolicyError, match=r"vetting.yaml: website.min_domain_age_days: .*\(got -5\)"
    ):
        vetting_policy(path)
    assert vetting_policy().website.min_domain_age_days == 180
