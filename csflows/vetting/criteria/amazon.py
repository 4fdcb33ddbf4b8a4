"""Amazon criterion (seed 001): Advantus already sells through Amazon, so an applicant that sells
there (FBA or FBM) is declined. Evidence: the form's answer and the applicant's own website."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

from csflows.models import CheckResult, Evidence, NewCustomerInquiry, Verdict

# amazon.<tld>/sp?seller=..., /s?me=..., /stores/..., and Amazon's short links
STOREFRONT_LINK = re.compile(
    r"""(?ix)
    (?:https?:)?//(?:www\.|smile\.)?
    (?:
        amazon\.(?:com|ca|co\.uk|de|fr|it|es|co\.jp|com\.mx|com\.au|in|nl|se|pl|com\.br|sg|ae|sa|com\.tr|eg|com\.be)
        /(?:sp\?[^"'\s<>]*seller=|s\?[^"'\s<>]*\bme=|stores/|shops/)[^"'\s<>]*
      | amzn\.to/[^"'\s<>]+
      | amzn\.com/[^"'\s<>]*
      | amzn\.eu/[^"'\s<>]+
    )
    """
)
SELLS_ON_AMAZON_TEXT = re.compile(
    r"""(?ix)
    \b(?:
        (?:sell|selling|sold|shop|buy|find|available|order)\w*\s+(?:us\s+|our\s+products\s+|it\s+)?(?:on|at|via|through)\s+amazon
      | amazon\s+(?:seller|storefront|store|shop)
      | fulfill(?:ed|ment)\s+by\s+amazon
      | \bFBA\b
      | \bFBM\b
      | amazon\s+prime\s+(?:eligible|seller)
    )
    """
)


# The pages a person opens from the home page to see where the business sells: about, shop,
# store, where to buy, stockists, retailers, find us, our story.
WHERE_IT_SELLS = re.compile(
    r"(?i)\b(?:about|shop|store|stores|where[-_ ]?to[-_ ]?buy|buy|stockists?|retailers?|"
    r"find[-_ ]?us|our[-_ ]?story|wholesale|marketplaces?)\b"
)


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


def linked_pages(html: str, page_url: str, limit: int) -> list[str]:
    """The same-site pages linked from the home page that say where the business sells (about,
    shop, where to buy ...), in page order, at most `limit`; never the home page itself."""
    parser = _Anchors()
    parser.feed(html)
    home = urlsplit(page_url)
    found: list[str] = []
    for href, text in parser.anchors:
        target = urlsplit(urljoin(page_url, href.strip()))
        url = urlunsplit((target.scheme, target.netloc, target.path or "/", target.query, ""))
        if (
            target.scheme not in ("http", "https")
            or _site(target.hostname) != _site(home.hostname)
            or (target.path or "/") in ("/", home.path or "/")
            or url in found
            or not (WHERE_IT_SELLS.search(text) or WHERE_IT_SELLS.search(target.path))
        ):
            continue
        found.append(url)
        if len(found) == limit:
            break
    return found


@dataclass(frozen=True)
class AmazonSignals:
    """What one page of the applicant's site says about Amazon."""

    links: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()


def page_signals(html: str) -> AmazonSignals:
    """Storefront links and 'sells on Amazon' phrases found in a page (first few of each)."""
    links = tuple(dict.fromkeys(m.group(0) for m in STOREFRONT_LINK.finditer(html)))[:5]
    text = re.sub(r"<[^>]+>", " ", html)
    phrases = tuple(dict.fromkeys(m.group(0) for m in SELLS_ON_AMAZON_TEXT.finditer(text)))[:5]
    return AmazonSignals(links, phrases)


def amazon_verdict(
    form: NewCustomerInquiry,
    signals: AmazonSignals | None,
    site: str | None = None,
    linked: Sequence[tuple[str, AmazonSignals]] = (),
) -> CheckResult:
    """fail if the form says yes or the site (the home page, or a page linked from it: about,
    shop, where to buy) links a storefront or says it sells on Amazon; the page is named."""
    evidence: list[Evidence] = []
    verdict = Verdict.PASS
    if form.sells_on_amazon:
        verdict = Verdict.FAIL
        store = f" (storefront: {form.amazon_storefront})" if form.amazon_storefront else ""
        evidence.append(Evidence(source="form", fact=f"the applicant sells on Amazon{store}"))
    else:
        evidence.append(
            Evidence(source="form", fact="the applicant says it does not sell on Amazon")
        )
    if signals is None:
        if verdict is Verdict.PASS:
            verdict = Verdict.REVIEW
        evidence.append(
            Evidence(source="website", fact="the website could not be read for Amazon links")
        )
        return CheckResult(criterion="amazon", verdict=verdict, evidence=evidence)
    pages = [(site, "the home page", signals)] + [(url, url, s) for url, s in linked]
    for url, name, page in pages:
        for link in page.links:
            verdict = Verdict.FAIL
            href = link if link.startswith("http") else f"https:{link}"
            evidence.append(
                Evidence(
                    source="website",
                    fact=f"{name} links to an Amazon storefront: {link}",
                    link=href,
                )
            )
        for phrase in page.phrases:
            verdict = Verdict.FAIL
            evidence.append(Evidence(source="website", fact=f"{name} says {phrase!r}", link=url))
    if not any(page.links or page.phrases for _, _, page in pages):
        read = ", ".join(["the home page", *(url for url, _ in linked)])
        evidence.append(
            Evidence(
                source="website",
                fact=f"no Amazon storefront link or mention on {read}",
                link=site,
            )
        )
    return CheckResult(criterion="amazon", verdict=verdict, evidence=evidence)
