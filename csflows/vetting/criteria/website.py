"""Website criterion (seed 001): a professional, functioning site that names the business.
fail: unreachable, an error status, a parked / for-sale / under-construction page.
review: a domain younger than the policy's age, or a site that does not name the business; and
what could not be checked: a site that timed out (slow is not gone), an age RDAP could not give."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from rapidfuzz import fuzz, utils

from csflows.models import CheckResult, Evidence, NewCustomerInquiry, Verdict

PARKED = re.compile(
    r"(?i)(?:this\s+domain\s+(?:name\s+)?(?:is|may\s+be)\s+for\s+sale|domain\s+(?:is\s+)?for\s+sale|"
    r"buy\s+this\s+domain|this\s+domain\s+(?:is\s+)?parked|parked\s+(?:free|domain)|"
    r"domain\s+parking|sedoparking|parkingcrew|bodis\.com|dan\.com|afternic|hugedomains|"
    r"related\s+searches|make\s+an\s+offer\s+on\s+this\s+domain)"
)
UNDER_CONSTRUCTION = re.compile(
    r"(?i)(?:under\s+construction|coming\s+soon|launching\s+soon|site\s+is\s+being\s+built|"
    r"website\s+is\s+(?:currently\s+)?(?:being\s+built|under\s+maintenance)|"
    r"welcome\s+to\s+nginx|apache2?\s+(?:ubuntu\s+|debian\s+)?default\s+page|it\s+works!|"
    r"future\s+home\s+of\s+something\s+quite\s+cool|index\s+of\s+/)"
)
LEGAL_SUFFIX = re.compile(
    r"(?i)[,.]?\s*\b(?:llc|l\.l\.c|inc|incorporated|corp|corporation|co|ltd|limited|lp|llp|pllc)\b\.?"
)
NAME_SCORE = 85


@dataclass(frozen=True)
class PageFacts:
    """What a fetched page tells the website criterion."""

    title: str
    text: str


def page_facts(page_html: str) -> PageFacts:
    title = re.search(r"(?is)<title[^>]*>(.*?)</title>", page_html)
    body = re.sub(r"(?is)<(script|style)[^>]*>.*?</\1>", " ", page_html)
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", body))
    return PageFacts(
        title=html_lib.unescape(title.group(1)).strip() if title else "",
        text=re.sub(r"\s+", " ", text).strip(),
    )


def page_problem(facts: PageFacts) -> str | None:
    """Why the page is not a functioning business site, or None."""
    sample = f"{facts.title} {facts.text}"[:20000]
    if match := PARKED.search(sample):
        return f"a parked or for-sale domain page ({match.group(0)!r})"
    if match := UNDER_CONSTRUCTION.search(sample):
        return f"an under-construction or placeholder page ({match.group(0)!r})"
    if len(facts.text) < 40 and not facts.title:
        return "an empty page"
    return None


def names_business(facts: PageFacts, form: NewCustomerInquiry) -> str | None:
    """The name (legal or DBA) the page shows, or None."""
    sample = f"{facts.title} {facts.text}"[:50000]
    for name in (form.dba, form.business_name):
        if not name:
            continue
        core = LEGAL_SUFFIX.sub("", name).strip() or name
        if fuzz.partial_ratio(core, sample, processor=utils.default_process) >= NAME_SCORE:
            return name
    return None


def domain_age_days(registered: datetime | None, now: datetime | None = None) -> int | None:
    if registered is None:
        return None
    now = now or datetime.now(UTC)
    if registered.tzinfo is None:
        registered = registered.replace(tzinfo=UTC)
    return (now - registered).days


def website_verdict(
    form: NewCustomerInquiry,
    *,
    final_url: str | None,
    status: int | None,
    page_html: str | None,
    fetch_error: str | None,
    registered: datetime | None,
    registration_note: str | None,
    min_age_days: int,
    now: datetime | None = None,
    fetch_timed_out: bool = False,
    registration_error: str | None = None,
) -> CheckResult:
    """Combine the fetched page and the domain's registration date into one verdict."""
    link = final_url or form.website
    evidence: list[Evidence] = []
    fails: list[str] = []
    reviews: list[str] = []
    if fetch_error and fetch_timed_out:
        reviews.append(f"the website did not answer in time: {fetch_error}")
    elif fetch_error:
        fails.append(f"the website is unreachable: {fetch_error}")
    elif status is not None and status >= 400:
        fails.append(f"the website answers HTTP {status}")
    else:
        facts = page_facts(page_html or "")
        if facts.title:
            evidence.append(
                Evidence(source="website", fact=f"title: {facts.title[:120]}", link=link)
            )
        if problem := page_problem(facts):
            fails.append(f"the website is {problem}")
        elif name := names_business(facts, form):
            evidence.append(
                Evidence(source="website", fact=f"the site names the business ({name})", link=link)
            )
        else:
            reviews.append("the site does not name the business")
        if final_url and not final_url.startswith("https://"):
            evidence.append(
                Evidence(source="website", fact="the site does not use HTTPS", link=link)
            )
    age = domain_age_days(registered, now)
    if age is not None:
        when = registered.date().isoformat() if registered else ""
        fact = f"domain registered {when} ({age} days ago)"
        if age < min_age_days:
            reviews.append(f"the domain is younger than {min_age_days} days ({fact})")
        else:
            evidence.append(Evidence(source="rdap", fact=fact))
    elif registration_error:
        reviews.append(f"the domain's age could not be looked up: {registration_error}")
    elif registration_note:
        evidence.append(Evidence(source="rdap", fact=registration_note))
    evidence += [Evidence(source="website", fact=f, link=link) for f in fails]
    evidence += [
        Evidence(source="website" if "site" in r else "rdap", fact=r, link=link) for r in reviews
    ]
    verdict = Verdict.FAIL if fails else Verdict.REVIEW if reviews else Verdict.PASS
    return CheckResult(criterion="website", verdict=verdict, evidence=evidence)
