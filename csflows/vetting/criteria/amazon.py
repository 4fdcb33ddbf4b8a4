"""Amazon criterion (seed 001): Advantus already sells through Amazon, so an applicant that sells
there (FBA or FBM) is declined. Evidence: the form's answer and the applicant's own website."""

from __future__ import annotations

import re
from dataclasses import dataclass

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


@dataclass(frozen=True)
class AmazonSignals:
    """What the applicant's home page says about Amazon."""

    links: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()


def page_signals(html: str) -> AmazonSignals:
    """Storefront links and 'sells on Amazon' phrases found in a page (first few of each)."""
    links = tuple(dict.fromkeys(m.group(0) for m in STOREFRONT_LINK.finditer(html)))[:5]
    text = re.sub(r"<[^>]+>", " ", html)
    phrases = tuple(dict.fromkeys(m.group(0) for m in SELLS_ON_AMAZON_TEXT.finditer(text)))[:5]
    return AmazonSignals(links, phrases)


def amazon_verdict(
    form: NewCustomerInquiry, signals: AmazonSignals | None, site: str | None = None
) -> CheckResult:
    """fail if the form says yes or the site links a storefront / says it sells on Amazon."""
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
    for link in signals.links:
        verdict = Verdict.FAIL
        href = link if link.startswith("http") else f"https:{link}"
        evidence.append(
            Evidence(source="website", fact=f"links to an Amazon storefront: {link}", link=href)
        )
    for phrase in signals.phrases:
        verdict = Verdict.FAIL
        evidence.append(Evidence(source="website", fact=f"says {phrase!r}", link=site))
    if not signals.links and not signals.phrases:
        evidence.append(
            Evidence(source="website", fact="no Amazon storefront link or mention", link=site)
        )
    return CheckResult(criterion="amazon", verdict=verdict, evidence=evidence)
