"""The amazon and website criteria read sentences the way a supervisor does (issue 22): a denial
is not a mention of selling, Amazon's programmes are selling, the rainforest is not Amazon, a
storefront on the form outweighs an unticked box, a password page is not a working site."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from csflows.models import CheckResult, Verdict
from csflows.vetting.criteria.amazon import amazon_verdict, page_signals
from csflows.vetting.criteria.amazon_reading import (
    Reading,
    read_sentence,
    read_sentences,
    read_storefront,
)
from csflows.vetting.criteria.sentences import read_page
from csflows.vetting.criteria.website import website_verdict
from tests.support.inquiries import inquiry

SITE = "https://paperlanterncrafts.com/"
ABOUT = "https://paperlanterncrafts.com/about"

# --- sentences ---------------------------------------------------------------------------------


def test_a_page_reads_as_sentences_with_their_links_and_headings() -> None:
    page = read_page(
        "<html><head><title>Paper Lantern</title><script>var amazon = 1;</script></head><body>"
        "<h1>Welcome</h1><p>We sell scrapbooks on St. Clair Ave. in Chicago. Find us "
        '<a href="https://amzn.to/3xYz">on Amazon</a>!</p><input type="password"></body></html>'
    )
    assert [s.text for s in page.sentences] == [
        "Paper Lantern",
        "Welcome",
        "We sell scrapbooks on St. Clair Ave. in Chicago.",
        "Find us on Amazon!",
    ]
    assert page.sentences[0].heading and not page.sentences[2].heading
    assert page.sentences[3].links == ("https://amzn.to/3xYz",)
    assert page.password_field


def test_a_link_without_text_is_a_sentence_of_its_own() -> None:
    page = read_page('<footer><a href="https://a.co/d/7Hx"></a></footer>')
    assert [(s.text, s.links) for s in page.sentences] == [("", ("https://a.co/d/7Hx",))]


# --- what a sentence says about Amazon ---------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "reading"),
    [
        # selling there, in any of its programmes and phrasings
        ("Find us on Amazon!", Reading.SELLS),
        ("All orders are Fulfilled by Amazon.", Reading.SELLS),
        ("We are an FBA seller.", Reading.SELLS),
        ("Our Amazon store has the full range.", Reading.SELLS),
        ("We're proud to be part of Amazon Handmade.", Reading.SELLS),
        ("Our cards are on Handmade at Amazon.", Reading.SELLS),
        ("Every order ships with Prime shipping.", Reading.SELLS),
        ("Available on our website, Etsy and Amazon.", Reading.SELLS),
        ("Coming soon to Amazon!", Reading.SELLS),  # going to sell there is selling there
        ("Not only in our Chicago shop but also on Amazon.", Reading.SELLS),
        ("We don't just sell on Amazon.", Reading.SELLS),
        ("We don't sell anywhere except Amazon.", Reading.SELLS),
        ("#1 best seller on Amazon in scrapbooking.", Reading.SELLS),
        # saying it does not
        ("We do not sell on Amazon.", Reading.DENIES),
        ("You won't find our products on Amazon.", Reading.DENIES),
        ("We sell on Etsy, but not on Amazon.", Reading.DENIES),
        ("We sell everywhere except Amazon.", Reading.DENIES),
        ("We do not use FBA or FBM.", Reading.DENIES),
        ("We don't sell on any online marketplace.", Reading.DENIES),
        ("Amazon? Never.", Reading.DENIES),
        ("We closed our Amazon store in 2021.", Reading.NO_LONGER),
        ("We no longer sell on Amazon.", Reading.NO_LONGER),
        # another sense, or the company in another role
        ("Our coffee is grown on the edge of the Amazon rainforest.", Reading.OTHER_SENSE),
        ("Available in Amazon Green, Sage and Rose.", Reading.OTHER_SENSE),
        ("The Amazon Tote is our bestseller.", Reading.OTHER_SENSE),
        ("Find us on Amazon Parkway, next to the Amazon Creek bike path.", Reading.OTHER_SENSE),
        ("Amazon, a deep parrot green, is back in stock in worsted.", Reading.OTHER_SENSE),
        ("We accept Amazon Pay.", Reading.ASIDE),
        ("Unlike Amazon, we know our customers by name.", Reading.ASIDE),
        ("We buy our packing boxes from Amazon.", Reading.ASIDE),
        # not said plainly: a person reads it
        ("We also sell through online marketplaces.", Reading.UNCLEAR),
        ("As an Amazon Associate we earn from qualifying purchases.", Reading.UNCLEAR),
        ("We love Amazon.", Reading.UNCLEAR),
    ],
)
def test_a_sentence_is_read_for_what_it_says_about_amazon(sentence: str, reading: Reading) -> None:
    assert read_sentence(sentence)[0] is reading


def test_a_shop_closed_on_sundays_has_not_closed_its_amazon_store() -> None:
    assert read_sentence("Our shop is closed Sundays, find us on Amazon.")[0] is Reading.SELLS


def test_a_storefront_link_is_selling_wherever_it_is() -> None:
    reading, _, link = read_sentence("Shop our range", ["https://www.amazon.com/stores/PL/page/9"])
    assert reading is Reading.SELLS and link == "https://www.amazon.com/stores/PL/page/9"
    assert read_sentence("amzn.to/3xYzAbc")[0] is Reading.SELLS


def test_a_question_is_read_with_its_answer() -> None:
    page = read_page(
        "<h2>Do you sell on Amazon?</h2><p>No, only in our Chicago shop.</p>"
        "<h2>Can I buy your cards on Amazon?</h2><p>Yes! Search for Paper Lantern.</p>"
        "<h2>Are you on Amazon?</h2><p>We ship anywhere in the US.</p>"
    )
    assert [(f.reading, f.sentence) for f in read_sentences(page.sentences)] == [
        (Reading.DENIES, "Do you sell on Amazon? No, only in our Chicago shop."),
        (Reading.SELLS, "Can I buy your cards on Amazon? Yes!"),
        (Reading.UNCLEAR, "Are you on Amazon?"),
    ]


@pytest.mark.parametrize(
    ("answer", "reading"),
    [
        ("PaperLanternUS", Reading.SELLS),
        ("https://www.amazon.com/sp?seller=A1B2C3", Reading.SELLS),
        ("amzn.to/3xYz", Reading.SELLS),
        ("We don't sell on Amazon", Reading.DENIES),
        ("Closed in 2021", Reading.NO_LONGER),
        ("Etsy: PaperLanternShop", Reading.ASIDE),
    ],
)
def test_the_forms_storefront_answer_is_read(answer: str, reading: Reading) -> None:
    found = read_storefront(answer)
    assert found is not None and found.reading is reading


@pytest.mark.parametrize("answer", [None, "", "N/A", "none", "-", "No", "not applicable"])
def test_an_empty_storefront_answer_says_nothing(answer: str | None) -> None:
    assert read_storefront(answer) is None


# --- the amazon verdict ------------------------------------------------------------------------


def _amazon(home: str, about: str | None = None, **form: object) -> CheckResult:
    linked = [(ABOUT, page_signals(about))] if about is not None else []
    return amazon_verdict(inquiry(**form), page_signals(home), SITE, linked)


def test_a_site_that_says_it_does_not_sell_on_amazon_passes_and_says_where() -> None:
    result = _amazon("<p>Paper Lantern</p>", "<p>We do not sell on Amazon or any marketplace.</p>")
    assert result.verdict is Verdict.PASS
    [said] = [e for e in result.evidence if e.link == ABOUT]
    assert said.fact == (
        f'{ABOUT} says "We do not sell on Amazon or any marketplace." (does not sell on Amazon)'
    )


def test_an_about_page_naming_an_amazon_programme_fails_against_an_unticked_box() -> None:
    result = _amazon("<p>Paper Lantern</p>", "<p>We're a proud Amazon Handmade seller.</p>")
    assert result.verdict is Verdict.FAIL
    assert "outweigh an unticked box" in result.evidence[-1].fact


def test_the_rainforest_and_amazon_pay_are_not_selling_there() -> None:
    html = "<p>Our paper is made from Amazon rainforest fibre.</p><p>We accept Amazon Pay.</p>"
    result = _amazon(html)
    assert result.verdict is Verdict.PASS
    assert sum("the home page says" in e.fact for e in result.evidence) == 2


def test_a_storefront_named_on_the_form_outweighs_its_unticked_box() -> None:
    result = _amazon("<p>Paper Lantern</p>", amazon_storefront="PaperLanternUS")
    assert result.verdict is Verdict.FAIL
    assert result.evidence[-1].fact.startswith(
        "the box says no, but the form's storefront answer says it sells on Amazon: "
        "a storefront named on the form outweighs an unticked box"
    )


def test_the_applicants_own_words_disagreeing_are_a_review() -> None:
    ticked = _amazon("<p>We never sell on Amazon.</p>", sells_on_amazon=True)
    assert ticked.verdict is Verdict.REVIEW and "disagree" in ticked.evidence[-1].fact
    both = _amazon("<p>We no longer sell on Amazon.</p>", '<a href="https://amzn.to/x">Shop</a>')
    assert both.verdict is Verdict.REVIEW


def test_a_mention_the_rules_cannot_place_is_a_review() -> None:
    result = _amazon("<p>We also sell through online marketplaces.</p>")
    assert result.verdict is Verdict.REVIEW and "a person reads it" in result.evidence[-1].fact


def test_the_forms_products_answer_is_read_too() -> None:
    result = _amazon("<p>Paper Lantern</p>", current_products="Stickers, sold on Amazon FBA.")
    assert result.verdict is Verdict.FAIL
    assert any(e.fact.startswith("the form's products answer says") for e in result.evidence)


# --- the website: open for business ------------------------------------------------------------


def _website(html: str, final_url: str = SITE, **kw: object) -> CheckResult:
    return website_verdict(
        inquiry(),
        final_url=final_url,
        status=200,
        page_html=html,
        fetch_error=None,
        registered=datetime(2015, 3, 1, tzinfo=UTC),
        registration_note=None,
        min_age_days=180,
        **kw,  # type: ignore[arg-type]
    )


FULL_SHOP = (
    "<title>Paper Lantern Crafts</title><h1>Paper Lantern Crafts</h1>"
    + "<p>Scrapbooking albums, stickers and paper crafting supplies for Chicago since 1998.</p>" * 8
)


@pytest.mark.parametrize(
    ("html", "final_url", "reason"),
    [
        (
            "<title>Paper Lantern</title><h1>Opening soon</h1><p>Enter store using password</p>"
            '<input type="password"><p>Are you the store owner? Log in here</p>',
            SITE + "password",
            "password page",
        ),
        ("<title>Paper Lantern</title><p>Something is coming.</p>", SITE + "password", "password"),
        (
            "<h1>Paper Lantern Crafts</h1><h2>Coming soon</h2><p>Sign up for news.</p>",
            SITE,
            "coming-soon",
        ),
        (
            "<h1>Paper Lantern Crafts</h1><p>Our online shop is launching this fall.</p>"
            "<p>Be the first to know when we open our doors.</p>",
            SITE,
            "coming-soon",  # no password asked: not a platform's password page
        ),
        (
            "<title>Account Suspended</title><h1>Account Suspended</h1><p>This Account has been "
            "suspended.</p><p>Please contact your hosting provider for more information.</p>",
            SITE,
            "account-suspended",
        ),
        (
            "<h1>Paper Lantern Crafts</h1><h2>Thank you for fourteen wonderful years</h2><p>After "
            "14 wonderful years, Paper Lantern Crafts has closed its doors.</p><p>Our online shop "
            "is no longer taking orders.</p>",
            SITE,
            "has closed",
        ),
        (
            "<h1>Welcome to Our Store</h1><p>I'm a paragraph. Click here to add your own text and "
            "edit me.</p><p>I'm a product</p><p>$0.00</p><p>I'm a product</p><p>$0.00</p>",
            SITE,
            "template",
        ),
        (
            "<title>My Store</title><h2>Talk about your brand</h2><p>Example product title</p>"
            "<p>$19.99</p>",
            SITE,
            "template",
        ),
    ],
)
def test_a_site_not_open_for_business_fails_and_names_its_sentence(
    html: str, final_url: str, reason: str
) -> None:
    result = _website(html, final_url)
    assert result.verdict is Verdict.FAIL
    assert reason in result.evidence[-1].fact and "the home page says" in result.evidence[-1].fact


def test_news_of_something_coming_soon_on_a_full_shop_is_not_a_placeholder() -> None:
    result = _website(FULL_SHOP + "<h2>Coming soon</h2><p>New autumn stickers coming soon!</p>")
    assert result.verdict is Verdict.PASS


def test_a_page_under_maintenance_is_checked_again_by_a_person() -> None:
    result = _website("<h1>Paper Lantern Crafts</h1><p>We are down for maintenance.</p>")
    assert result.verdict is Verdict.REVIEW and "check again" in result.evidence[-1].fact


LOGIN = (
    "<title>Paper Lantern Crafts - Trade</title><h1>Trade customers: please log in</h1>"
    '<form><input name="email"><input type="password"></form>'
    '<a href="/about">About us</a><a href="/contact">Contact</a>'
)


def test_a_trade_login_wall_with_real_pages_behind_it_is_a_working_site() -> None:
    about = "<p>" + "Paper Lantern Crafts supplies scrapbooking shops across the Midwest. " * 6
    result = _website(LOGIN, linked=[(ABOUT, about + "</p>")])
    assert result.verdict is Verdict.PASS
    assert any("login wall" in e.fact and ABOUT in e.fact for e in result.evidence)


def test_a_login_wall_with_nothing_behind_it_is_a_review() -> None:
    result = _website(LOGIN)
    assert result.verdict is Verdict.REVIEW and "login wall" in result.evidence[-1].fact


# --- what the 40 cases taught (issue 22: fixed after the first measurement) ---------------------


def test_a_label_linking_to_a_page_of_its_own_site_is_not_the_marketplace() -> None:
    assert read_sentence("Amazon", ["/collections/amazon"])[0] is Reading.OTHER_SENSE
    assert read_sentence("Amazon", ["https://www.amazon.com/dp/B0123"])[0] is Reading.SELLS


@pytest.mark.parametrize(
    ("sentence", "reading"),
    [
        ("Our goods are sold only in our shop and to a few yacht clubs.", Reading.DENIES),
        ("Our toys are sold only in our State Street shop and on our website.", Reading.DENIES),
        ("Everything we dye is sold here on our website and at the shop.", Reading.CHANNELS),
        ("We sell tea.", Reading.ASIDE),  # says nothing of where: not a finding at all
    ],
)
def test_where_it_says_it_sells_is_evidence_and_only_there_is_a_denial(
    sentence: str, reading: Reading
) -> None:
    assert read_sentence(sentence)[0] is reading


def test_a_parked_domains_amazon_ads_are_not_the_applicants_words() -> None:
    parked = (
        "<p>kestrelcrafts.example</p><p>This domain may be for sale.</p><p>Related Searches</p>"
        '<p><a href="/ads?q=prime">Amazon Prime Deals</a></p><p>Craft Supplies Online</p>'
    )
    result = _amazon(parked, sells_on_amazon=None)
    assert result.verdict is Verdict.REVIEW  # the box unanswered and nothing of theirs to read
    assert any("registrar's ads" in e.fact for e in result.evidence)
    assert _amazon(parked, sells_on_amazon=False).verdict is Verdict.PASS


def test_an_unanswered_box_with_nothing_else_is_a_question_for_a_person() -> None:
    result = _amazon("<p>Paper Lantern</p>", sells_on_amazon=None)
    assert result.verdict is Verdict.REVIEW and "not answered" in result.evidence[-1].fact
    assert _amazon("<p>Find us on Amazon</p>", sells_on_amazon=None).verdict is Verdict.FAIL


def test_a_template_on_the_home_page_and_behind_it_fails_quoting_each_page() -> None:
    home = FULL_SHOP + "<p>Your shop tagline here.</p>"
    shop = "https://paperlanterncrafts.com/shop"
    result = _website(home, linked=[(shop, "<p>Product 1</p><p>$0.00</p>")])
    assert result.verdict is Verdict.FAIL
    fact = result.evidence[-1].fact
    assert 'the home page says "Your shop tagline here."' in fact
    assert f'{shop} says "Product 1"' in fact


@pytest.mark.parametrize(
    ("html", "verdict"),
    [
        ("<h1>Kindred Loom</h1><p>Our website launches this spring.</p>", Verdict.FAIL),
        ("<p>We're performing scheduled maintenance and will be back shortly.</p>", Verdict.REVIEW),
        ("<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>", Verdict.FAIL),
    ],
)
def test_launch_maintenance_and_latin_placeholder_wording(html: str, verdict: Verdict) -> None:
    assert _website(html).verdict is verdict
