"""Website criterion (seed 001): a professional, functioning site that names the business.
fail: evidence the site does not work (`unfetched_site`: a name that does not exist, a redirect
loop, an address the guard refuses), an error status, a site not open for business (`open_for_business`: parked,
coming soon, a shop's password page, an untouched template), each with its sentence and page.
review: a domain younger than the policy's age, a site that does not name the business, a page
under maintenance, a login wall with nothing readable behind it; and what could not be checked:
a site that timed out (slow is not gone) or that csflows could not reach for a fault on its own
side or the network's, an age RDAP could not give."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from rapidfuzz import fuzz, utils

from csflows.clients.website import FetchFault
from csflows.models import CheckResult, Evidence, NewCustomerInquiry, Verdict
from csflows.vetting.criteria.open_for_business import login_wall_note, site_state
from csflows.vetting.criteria.sentences import read_page

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


def unfetched_site(
    fault: FetchFault, error: str, *, domain_listed: bool | None, registry_answered: bool
) -> tuple[Verdict, str]:
    """Whether a site csflows could not fetch is evidence against it (fail) or a question for a
    person (review), and the sentence that says why. Only what the site or the registry said is
    evidence: a name that does not exist when RDAP has no record of the domain, or when the
    registry answered just now (so this machine can resolve names and reach the internet). A
    resolver that cannot answer, a refused or reset connection, no route, a failed TLS handshake,
    a timeout, or a name not found while the registry cannot be reached only say csflows could
    not look."""
    if fault is FetchFault.SITE:
        return Verdict.FAIL, f"the website is unreachable: {error}"
    if fault is FetchFault.NO_SUCH_NAME and domain_listed is False:
        return Verdict.FAIL, f"the website's domain does not exist: {error}; RDAP has no record"
    if fault is FetchFault.NO_SUCH_NAME and registry_answered:
        return Verdict.FAIL, f"the website's name does not resolve: {error}; RDAP answers"
    if fault is FetchFault.TIMEOUT:
        return Verdict.REVIEW, f"the website did not answer in time: {error}"
    why = (
        "the registry could not be asked either, so this machine may be offline"
        if fault is FetchFault.NO_SUCH_NAME
        else "a fault on our side or the network's, not evidence about the site"
    )
    return Verdict.REVIEW, f"the website could not be checked from here: {error}; {why}"


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
    fetch_fault: FetchFault = FetchFault.SITE,
    registration_error: str | None = None,
    linked: Sequence[tuple[str, str]] = (),
    domain_listed: bool | None = None,
    registry_answered: bool = False,
) -> CheckResult:
    """Combine the fetched page, the pages read behind it (`linked`: address and HTML; what a
    login wall hides) and the domain's registration date into one verdict. When the page could
    not be fetched, `fetch_fault` says why and `domain_listed` (False: RDAP has no record) and
    `registry_answered` (RDAP was asked just now) whether that is evidence (`unfetched_site`)."""
    link = final_url or form.website
    evidence: list[Evidence] = []
    fails: list[str] = []
    reviews: list[str] = []
    if fetch_error:
        verdict, why = unfetched_site(
            fetch_fault,
            fetch_error,
            domain_listed=domain_listed,
            registry_answered=registry_answered,
        )
        (fails if verdict is Verdict.FAIL else reviews).append(why)
    elif status is not None and status >= 400:
        fails.append(f"the website answers HTTP {status}")
    else:
        facts = page_facts(page_html or "")
        if facts.title:
            evidence.append(
                Evidence(source="website", fact=f"title: {facts.title[:120]}", link=link)
            )
        read = read_page(page_html or "")
        behind = [(url, read_page(html)) for url, html in linked]
        state = site_state(read, final_url, behind)
        said = (
            "; ".join(f'{page} says "{text[:200]}"' for page, text in state.said) if state else ""
        )
        if state and state.verdict is Verdict.FAIL:
            fails.append(f"the website is {state.reason}: {said}")
        elif state:
            reviews.append(f"the website is {state.reason}: {said}")
        elif len(facts.text) < 40 and not facts.title:
            fails.append("the website is an empty page")
        if note := login_wall_note(read, behind):
            evidence.append(Evidence(source="website", fact=note, link=link))
        if state is None or state.verdict is Verdict.REVIEW:
            everything = [facts] + [page_facts(html) for _, html in linked]
            named = next(filter(None, (names_business(f, form) for f in everything)), None)
            if named:
                evidence.append(
                    Evidence(
                        source="website", fact=f"the site names the business ({named})", link=link
                    )
                )
            elif not fails:
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
    reason = (fails or reviews or [""])[0]
    return CheckResult(criterion="website", verdict=verdict, evidence=evidence, reason=reason)
