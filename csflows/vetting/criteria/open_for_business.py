"""Is the applicant's site open for business (seed 001: "a professional, functioning website")?
Read sentence by sentence, as a supervisor would: a parked domain, a "coming soon" page, a shop
platform's password page ("Opening soon - enter store using password"), a host's "account
suspended" page, a business saying it has closed, or an untouched shop template is not; a page
under maintenance is a question for later; a trade login wall with real pages behind it (about,
contact) is a working site.

Rules, not a model, for the reasons in `amazon_reading`: each finding names its sentence and
page. A placeholder phrase counts only where it speaks for the page (a heading, the page's main
text): "new stickers coming soon" on a full shop is news.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from csflows.models import Verdict
from csflows.vetting.criteria.sentences import ReadPage, Sentence

PARKED = re.compile(
    r"(?i)(?:this\s+domain\s+(?:name\s+)?(?:is|may\s+be)\s+for\s+sale|domain\s+(?:is\s+)?for\s+sale|"
    r"buy\s+this\s+domain|this\s+domain\s+(?:is\s+)?parked|parked\s+(?:free|domain)|"
    r"domain\s+parking|sedoparking|parkingcrew|bodis\.com|dan\.com|afternic|hugedomains|"
    r"related\s+searches|make\s+an\s+offer\s+on\s+this\s+domain)"
)
PASSWORD_PAGE = re.compile(
    r"(?i)(?:enter\s+(?:the\s+)?(?:store|shop|site)\s+using\s+(?:a\s+)?password|"
    r"(?:store|shop|site|website)\s+is\s+password[\s-]protected|opening\s+soon|"
    r"find\s+out\s+when\s+we\s+open|be\s+the\s+first\s+to\s+know\s+when\s+we\s+(?:open|launch)|"
    r"are\s+you\s+the\s+(?:store|shop)\s+owner|(?:store|shop)\s+will\s+be\s+powered\s+by|"
    r"password\s+protected)"
)
PLACEHOLDER = re.compile(
    r"(?i)(?:under\s+construction|coming\s+soon|launching\s+soon|launch(?:ing)?\s+shortly|"
    r"(?:site|website|store|shop)\s+is\s+(?:currently\s+)?being\s+(?:built|designed|updated)|"
    r"new\s+(?:web)?site\s+is\s+on\s+(?:its|the)\s+way|welcome\s+to\s+nginx|"
    r"apache2?\s+(?:ubuntu\s+|debian\s+)?default\s+page|it\s+works!|"
    r"future\s+home\s+of\s+something|index\s+of\s+/|site\s+not\s+(?:yet\s+)?(?:published|live)|"
    r"(?:website|site|store|shop)\s+(?:\w+\s+){0,2}launch(?:es|ing)?\b|"
    r"notif(?:y|ied)\s+(?:me\s+|you\s+)?when\s+(?:we|it)\s+(?:launch|open|go\s+live))"
)
CLOSED = re.compile(
    r"(?i)(?:(?:has|have|is|are|'s|’s)\s+(?:now\s+|permanently\s+)?closed\s+"
    r"(?:its|our|their)\s+doors|"
    r"(?:is|are)\s+(?:now\s+)?(?:permanently\s+closed|closed\s+(?:permanently|for\s+good))|"
    r"no\s+longer\s+(?:taking|accepting)\s+(?:new\s+)?orders|(?:has|have)\s+ceased\s+trading|"
    r"(?:is|are)\s+(?:now\s+)?out\s+of\s+business|closing\s+(?:our|its)\s+doors\s+for\s+good)"
)
SUSPENDED = re.compile(
    r"(?i)(?:(?:this\s+)?account\s+(?:has\s+been\s+|is\s+)?suspended|"
    r"(?:website|site)\s+(?:has\s+been\s+|is\s+)?(?:suspended|disabled\s+by\s+the\s+host)|"
    r"contact\s+your\s+hosting\s+provider)"
)
MAINTENANCE = re.compile(
    r"(?i)(?:(?:down\s+for|under(?:going)?|in)\s+(?:scheduled\s+|planned\s+)?maintenance|"
    r"(?:performing|doing|carrying\s+out|undergoing)\s+(?:some\s+)?(?:scheduled\s+|planned\s+|"
    r"routine\s+)?maintenance|maintenance\s+mode|be\s+right\s+back|"
    r"(?:we['’]ll|we\s+will|will)\s+be\s+back\s+(?:soon|shortly|online)|"
    r"temporarily\s+(?:unavailable|offline|down))"
)
TEMPLATE = re.compile(
    r"(?i)(?:lorem\s+ipsum|example\s+product|product\s+title\s+here|your\s+(?:store|shop|"
    r"company|business|brand)\s+name|just\s+another\s+wordpress\s+site|sample\s+page|"
    r"welcome\s+to\s+your\s+(?:new\s+)?(?:store|shop|site)|talk\s+about\s+your\s+brand|"
    r"share\s+information\s+about\s+your\s+brand|use\s+this\s+(?:text|section)\s+to|"
    r"add\s+(?:a\s+|your\s+)?(?:tagline|text\s+here|products?\s+to\s+your)|"
    r"your\s+content\s+goes\s+here|no\s+products\s+(?:found|yet)|collection\s+is\s+empty|"
    r"there\s+are\s+no\s+products|this\s+is\s+(?:a\s+)?(?:demo|sample)\s+(?:store|shop|site)|"
    r"i['’]m\s+a\s+(?:product|paragraph|title)\b|click\s+here\s+to\s+add\s+your\s+own\s+text|"
    r"this\s+is\s+your\s+(?:about|shop|store|contact|home|blog)\s+page|"
    r"double\s+click\s+(?:on\s+)?(?:the\s+)?text\s+box|hello\s+world!|consectetur\s+adipiscing|"
    r"dolor\s+sit\s+amet|\bproduct\s+\d+\b|"
    r"your\s+(?:\w+\s+){0,2}(?:tagline|logo|text|title|description|content|heading|business|"
    r"story|company|brand|address)\s+(?:goes\s+)?here\b)"
)
LOGIN = re.compile(
    r"(?i)\b(?:log\s?in|sign\s?in|login|password|account\s+holders?|members\s+only|"
    r"approved\s+(?:retailers|customers|accounts)|registered\s+(?:retailers|customers))\b"
)
TRADE = re.compile(
    r"(?i)\b(?:trade|wholesale|stockists?|retailers?|b2b|dealers?|resellers?|account\s+holders?|"
    r"approved|registered)\b"
)
THIN = 80  # words: a page this short is all its placeholder says
REAL_PAGE = 40  # words: a page behind a login wall with this much text is a real page


HOME = "the home page"


@dataclass(frozen=True)
class SiteState:
    """Why a site is not (or not yet) open for business, with the sentences that say so."""

    verdict: Verdict  # FAIL, or REVIEW (check again, or a person looks)
    reason: str
    said: tuple[tuple[str, str], ...]  # (page: "the home page" or its address, sentence)


def _speaks_for_page(sentence: Sentence, page: ReadPage) -> bool:
    """A short page is all its placeholder says; on a longer one, only a heading speaks for it
    ("New stickers coming soon" in a full shop is news, not a closed site)."""
    return page.words < THIN or (sentence.heading and page.words < 3 * THIN)


def _saying(
    pattern: re.Pattern[str], page: ReadPage, *, anywhere: bool = False
) -> tuple[tuple[str, str], ...]:
    """The home page's sentences matching `pattern` when one of them speaks for the page (any,
    with `anywhere`); none otherwise."""
    hits = [s for s in page.sentences if pattern.search(s.text)]
    if not any(anywhere or _speaks_for_page(s, page) for s in hits):
        return ()
    return _quotes([(HOME, s.text) for s in hits])


def _quotes(said: list[tuple[str, str]], most: int = 4) -> tuple[tuple[str, str], ...]:
    """At most `most` distinct sentences, the first of each page before the rest (a title
    repeated as the heading is said once)."""
    distinct: dict[tuple[str, str], tuple[str, str]] = {}
    for page, text in said:
        distinct.setdefault((page, text.casefold()), (page, text))
    firsts: dict[str, tuple[str, str]] = {}
    for page, text in distinct.values():
        firsts.setdefault(page, (page, text))
    rest = [s for s in distinct.values() if s not in firsts.values()]
    return tuple([*firsts.values(), *rest][:most])


def parked_sentences(page: ReadPage) -> tuple[tuple[str, str], ...]:
    """The sentences that show a parked or for-sale domain page (a registrar's, with its ads)."""
    return _saying(PARKED, page, anywhere=True)


def is_login_wall(page: ReadPage) -> Sentence | None:
    """A short page that asks to log in (a password field, or "trade customers log in")."""
    if page.words >= THIN:
        return None
    for sentence in page.sentences:
        if LOGIN.search(sentence.text) and (page.password_field or TRADE.search(sentence.text)):
            return sentence
    if page.password_field:
        return next((s for s in page.sentences if s.text), Sentence("a password field"))
    return None


def _real_pages_behind(linked: Sequence[tuple[str, ReadPage]]) -> str | None:
    """The first linked page with real content (not itself a login or a placeholder)."""
    for url, page in linked:
        if page.words >= REAL_PAGE and not is_login_wall(page) and _not_open(page, url) is None:
            return url
    return None


def site_state(
    home: ReadPage, final_url: str | None = None, linked: Sequence[tuple[str, ReadPage]] = ()
) -> SiteState | None:
    """Why the site is not open for business (fail) or cannot be judged yet (review); None
    when it is open. `linked` are the pages read behind the home page (about, shop ...)."""
    if closed := _not_open(home, final_url, linked):
        return closed
    if (wall := is_login_wall(home)) and _real_pages_behind(linked) is None:
        return SiteState(
            Verdict.REVIEW,
            "a login wall with no page behind it that could be read: a person looks",
            ((HOME, wall.text),),
        )
    return None


PASSWORD_REASON = "a shop platform's password page: not open yet"
COMING_SOON = "an under-construction or coming-soon page: not open yet"


def _not_open(
    page: ReadPage, final_url: str | None, linked: Sequence[tuple[str, ReadPage]] = ()
) -> SiteState | None:
    """Parked, suspended by its host, closed, a password page, a placeholder, a template (fail)
    or maintenance (review)."""
    if parked := parked_sentences(page):
        return SiteState(Verdict.FAIL, "a parked or for-sale domain page", parked)
    if suspended := _saying(SUSPENDED, page):
        return SiteState(Verdict.FAIL, "a hosting provider's account-suspended page", suspended)
    if closed := _saying(CLOSED, page):
        return SiteState(Verdict.FAIL, "the business says it has closed", closed)
    trade_wall = is_login_wall(page)
    password = _saying(PASSWORD_PAGE, page)
    placeholder = _saying(PLACEHOLDER, page)
    said = " ".join(s for _, s in password)
    if password and not (trade_wall and TRADE.search(said)):
        if page.password_field or re.search(r"(?i)password", said):
            return SiteState(Verdict.FAIL, PASSWORD_REASON, password)
        # "be the first to know when we open" without a password: a coming-soon page
        return SiteState(Verdict.FAIL, COMING_SOON, _quotes([*placeholder, *password]))
    if urlsplit(final_url or "").path.rstrip("/").endswith("/password") and not trade_wall:
        return SiteState(Verdict.FAIL, PASSWORD_REASON, ((HOME, f"(at {final_url})"),))
    if placeholder:
        return SiteState(Verdict.FAIL, COMING_SOON, placeholder)
    if template := _template(page, linked):
        return SiteState(Verdict.FAIL, "an unfinished shop template", template)
    if maintenance := _saying(MAINTENANCE, page):
        return SiteState(Verdict.REVIEW, "down for maintenance: check again later", maintenance)
    return None


def _template(
    home: ReadPage, linked: Sequence[tuple[str, ReadPage]]
) -> tuple[tuple[str, str], ...]:
    """A shop or blog template's own words on the home page: one on a short page, or two on the
    site (the pages behind it count too); with their pages."""
    on_home = [(HOME, s.text) for s in home.sentences if TEMPLATE.search(s.text)]
    behind = [(url, s.text) for url, p in linked for s in p.sentences if TEMPLATE.search(s.text)]
    if on_home and (len(on_home) + len(behind) >= 2 or home.words < 3 * THIN):
        return _quotes(on_home + behind)
    return ()


def login_wall_note(home: ReadPage, linked: Sequence[tuple[str, ReadPage]]) -> str | None:
    """For the evidence: the home page is a login wall and which page behind it is real."""
    wall = is_login_wall(home)
    behind = _real_pages_behind(linked) if wall else None
    if wall and behind:
        return (
            f'the home page is a login wall ("{wall.text}"), but {behind} behind it is a real '
            "page: a trade site at work"
        )
    return None
