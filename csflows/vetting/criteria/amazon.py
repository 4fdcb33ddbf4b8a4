"""Amazon criterion (seed 001): Advantus already sells through Amazon, so an applicant that sells
there (FBA or FBM), or is going to, is declined. Evidence: the form (the box, the storefront it
names, the products it says it sells) and the applicant's own website, read sentence by sentence
(`amazon_reading`): a denial, the rainforest or Amazon Pay is not selling there. Every finding
names its sentence and page; where the applicant's own words disagree, or a mention cannot be
placed, the verdict is review and a person decides."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

from csflows.models import CheckResult, Evidence, NewCustomerInquiry, Verdict
from csflows.vetting.criteria.amazon_reading import (
    Finding,
    Reading,
    read_sentences,
    read_storefront,
)
from csflows.vetting.criteria.open_for_business import parked_sentences
from csflows.vetting.criteria.sentences import Sentence, read_page, split_sentences

# The pages a person opens from the home page to see who the business is and where it sells,
# in the order they are opened: about, then where it sells (shop, store, where to buy,
# stockists, retailers, find us, wholesale, marketplaces, its products), then the FAQ, then
# shipping and policies (where "we also ship our Amazon orders" is said), then contact.
PAGES_A_PERSON_OPENS = [
    re.compile(r"(?i)\b(?:about|our[-_ ]?story|who[-_ ]?we[-_ ]?are)\b"),
    re.compile(
        r"(?i)\b(?:shop|store|stores|where[-_ ]?to[-_ ]?buy|buy|stockists?|retailers?|"
        r"find[-_ ]?us|wholesale|marketplaces?|products?|collections?|catalog(?:ue)?)\b"
    ),
    re.compile(r"(?i)\b(?:faqs?|questions)\b"),
    re.compile(r"(?i)\b(?:shipping|delivery|policies|policy|returns)\b"),
    re.compile(r"(?i)\b(?:contact|contact[-_ ]?us|visit[-_ ]?us)\b"),
]


class _Anchors(HTMLParser):
    """Every `<a href>` of a page with its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.anchors.append((self._href, " ".join("".join(self._text).split())))
            self._href = None


def _site(host: str | None) -> str:
    return (host or "").lower().removeprefix("www.")


# Links a person does not open to learn who the business is: the cart, accounts, search,
# legal boilerplate, feeds and files.
NOT_A_PAGE_OF_THE_BUSINESS = re.compile(
    r"(?i)\b(?:cart|basket|checkout|log[-_ ]?in|sign[-_ ]?(?:in|up)|register|account|"
    r"wishlist|search|privacy|terms|cookies?|legal|accessibility|sitemap|feed|rss|cdn-cgi)\b|"
    r"\.(?:pdf|jpe?g|png|gif|webp|svg|zip|xml|css|js)$"
)


def _rank(text: str, path: str) -> int | None:
    """Which kind of page a link leads to (its place in PAGES_A_PERSON_OPENS); any other page
    of the site's own after those ("Journals", "Our Promise", "Location": a small site's menu is
    read whole), None for the cart, login, legal pages and files."""
    if NOT_A_PAGE_OF_THE_BUSINESS.search(text) or NOT_A_PAGE_OF_THE_BUSINESS.search(path):
        return None
    for rank, pattern in enumerate(PAGES_A_PERSON_OPENS):
        if pattern.search(text) or pattern.search(path):
            return rank
    return len(PAGES_A_PERSON_OPENS)


def linked_pages(html: str, page_url: str, limit: int) -> list[str]:
    """The same-site pages linked from the home page that a person opens to see who the business
    is and where it sells (about, shop, where to buy, its products, FAQ, shipping and policies,
    contact, then the menu's other pages), in that order and then in page order, at most
    `limit`; never the home page."""
    parser = _Anchors()
    parser.feed(html)
    home = urlsplit(page_url)
    found: dict[str, int] = {}
    for href, text in parser.anchors:
        target = urlsplit(urljoin(page_url, href.strip()))
        url = urlunsplit((target.scheme, target.netloc, target.path or "/", target.query, ""))
        rank = _rank(text, target.path)
        if (
            target.scheme not in ("http", "https")
            or _site(target.hostname) != _site(home.hostname)
            or (target.path or "/") in ("/", home.path or "/")
            or url in found
            or rank is None
        ):
            continue
        found[url] = rank
    return sorted(found, key=found.__getitem__)[:limit]


@dataclass(frozen=True)
class AmazonSignals:
    """What one page of the applicant's site says about Amazon, sentence by sentence."""

    findings: tuple[Finding, ...] = ()
    # a parked domain's sentence: the page's words are a registrar's, not the applicant's
    parked: str | None = None


def page_signals(html: str) -> AmazonSignals:
    """Every sentence of the page that mentions Amazon (or marketplaces), with its reading; none
    on a parked or for-sale domain page, whose "Amazon Prime Deals" are a registrar's ads."""
    page = read_page(html)
    if parked := parked_sentences(page):
        return AmazonSignals(parked=parked[0][1])
    return AmazonSignals(tuple(read_sentences(page.sentences)))


# readings that decide nothing: a few per page show the supervisor what was read and set aside
NEUTRAL = {Reading.CHANNELS, Reading.ASIDE, Reading.OTHER_SENSE}
NEUTRAL_PER_PAGE = 3


@dataclass(frozen=True)
class _Said:
    """One finding where it was found: the form or a page of the site."""

    source: str  # "form" | "website"
    where: str  # "the form's storefront answer", "the home page", a page's address
    finding: Finding
    link: str | None = None

    def evidence(self) -> Evidence:
        f = self.finding
        sentence = f.sentence if len(f.sentence) <= 300 else f.sentence[:297] + "..."
        if f.link and f.reading is Reading.SELLS:
            said = f': "{sentence}"' if sentence and sentence != f.link else ""
            fact = f"{self.where} links to Amazon ({f.link}){said} ({f.why})"
            return Evidence(source=self.source, fact=fact, link=_absolute(f.link))
        return Evidence(
            source=self.source, fact=f'{self.where} says "{sentence}" ({f.why})', link=self.link
        )


def _absolute(link: str) -> str:
    if link.startswith("//"):
        return f"https:{link}"
    return link if "://" in link else f"https://{link}"


def _form_findings(form: NewCustomerInquiry) -> list[_Said]:
    """What the form itself says beyond its box: the storefront answer and the products it
    says it already sells."""
    said: list[_Said] = []
    if store := read_storefront(form.amazon_storefront):
        said.append(_Said("form", "the form's storefront answer", store))
    text = form.current_products or ""
    sentences = [Sentence(" ".join(text[a:b].split())) for a, b in split_sentences(text)]
    said += [_Said("form", "the form's products answer", f) for f in read_sentences(sentences)]
    return said


def _site_findings(
    signals: AmazonSignals, site: str | None, linked: Sequence[tuple[str, AmazonSignals]]
) -> list[_Said]:
    pages = [(site, "the home page", signals)] + [(url, url, s) for url, s in linked]
    said: list[_Said] = []
    for url, name, page in pages:
        seen: set[str] = set()
        neutral = 0
        for finding in page.findings:
            quiet = finding.reading in NEUTRAL
            if finding.sentence in seen or (quiet and neutral == NEUTRAL_PER_PAGE):
                continue  # a title repeated as the heading; the tenth "Amazon Green" swatch
            seen.add(finding.sentence)
            neutral += quiet
            said.append(_Said("website", name, finding, url))
    return said


def _of(said: Iterable[_Said], *readings: Reading) -> list[_Said]:
    return [s for s in said if s.finding.reading in readings]


def amazon_verdict(
    form: NewCustomerInquiry,
    signals: AmazonSignals | None,
    site: str | None = None,
    linked: Sequence[tuple[str, AmazonSignals]] = (),
) -> CheckResult:
    """fail when the applicant says, on the form or on its site (the home page and the pages
    linked from it), that it sells on Amazon, and nothing it says denies it; review when its
    own words disagree, when a mention cannot be placed, when the box is not answered, or when
    the site could not be read; pass otherwise. The box on the form is the weakest evidence: a storefront the form names
    or a sentence on the site outweighs an unticked box, and the scorecard says so."""
    box = form.sells_on_amazon
    evidence = [
        Evidence(
            source="form",
            fact={
                True: "the box says the applicant sells on Amazon",
                False: "the box says the applicant does not sell on Amazon",
                None: "the box on selling on Amazon is not answered",
            }[box],
        )
    ]
    said = _form_findings(form)
    if signals is not None:
        said += _site_findings(signals, site, linked)
    evidence += [s.evidence() for s in said]
    sells = _of(said, Reading.SELLS)
    denies = _of(said, Reading.DENIES, Reading.NO_LONGER)
    unclear = _of(said, Reading.UNCLEAR)
    verdict, why = _decide(box, sells, denies, unclear, site_read=signals is not None)
    if signals is None:
        evidence.append(
            Evidence(source="website", fact="the website could not be read for Amazon mentions")
        )
    elif signals.parked:
        fact = (
            f'the home page is a parked domain page ("{signals.parked}"): its links and words '
            "are a registrar's ads, not the applicant's"
        )
        evidence.append(Evidence(source="website", fact=fact, link=site))
    elif not any(s.source == "website" and s.finding.reading is not Reading.CHANNELS for s in said):
        read = ", ".join(["the home page", *(url for url, _ in linked)])
        evidence.append(
            Evidence(
                source="website",
                fact=f"no Amazon storefront link or mention on {read}",
                link=site,
            )
        )
    if why:
        evidence.append(Evidence(source="csflows", fact=why))
    if verdict is Verdict.FAIL:
        reason = why or (sells[0].evidence().fact if sells else evidence[0].fact)
    else:  # a review with no weighing is a site that could not be read
        reason = why or (evidence[-1].fact if verdict is Verdict.REVIEW else "")
    return CheckResult(criterion="amazon", verdict=verdict, evidence=evidence, reason=reason)


def _decide(
    box: bool | None,
    sells: list[_Said],
    denies: list[_Said],
    unclear: list[_Said],
    *,
    site_read: bool,
) -> tuple[Verdict, str]:
    """The verdict and, where evidence was weighed against other evidence, why."""
    if box and denies:
        return Verdict.REVIEW, (
            f"the box says it sells on Amazon but {denies[0].where} says it does not: "
            "the applicant's own words disagree, a person decides"
        )
    if sells and denies:
        return Verdict.REVIEW, (
            f"{sells[0].where} says it sells on Amazon but {denies[0].where} says it does not: "
            "the applicant's own words disagree, a person decides"
        )
    if box:
        return Verdict.FAIL, ""
    if sells:
        if box is False:
            trusted = (
                "a storefront named on the form outweighs"
                if sells[0].where == "the form's storefront answer"
                else "the applicant's own words outweigh"
            )
            return Verdict.FAIL, (
                f"the box says no, but {sells[0].where} says it sells on Amazon: {trusted} "
                "an unticked box, which is easily left so"
            )
        return Verdict.FAIL, ""
    if not site_read:
        return Verdict.REVIEW, ""
    if box is None:
        return Verdict.REVIEW, (
            "the box on selling on Amazon is not answered and nothing else says it sells there: "
            "a person asks"
        )
    if unclear:
        return Verdict.REVIEW, (
            f"{unclear[0].where} mentions Amazon in a way the rules cannot place: a person reads it"
        )
    return Verdict.PASS, ""
