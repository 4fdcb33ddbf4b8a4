"""What a sentence says about selling on Amazon (seed 001: "Does the customer currently have an
Amazon FBM/FBA account?"), read as a supervisor reads it.

Why rules and not a model: every verdict must name the sentence and say why, the same input must
give the same verdict, and vetting runs on a small worker with no model weights to fetch or
keep; the few ways a shop says it sells on Amazon (a storefront, "find us on Amazon", FBA, Prime)
and the few ways it says it does not (negation, "no longer", "except Amazon") fit a small rule
set over sentences and clauses that unit tests pin down. Whatever the rules cannot place is
`UNCLEAR`, which the criterion turns into review: a person decides, nothing is guessed.

Each mention of Amazon is read in its clause (a sentence cut at "but", "however", ";" ...):
1. its sense: Amazon the company, or the rainforest, a place, a colour, a product name
   (`OTHER_SENSE`);
2. the company in a role other than a place to sell (Amazon Pay, AWS, a comparison: `ASIDE`);
3. a selling predicate (on/at/via Amazon, Amazon store/seller/Handmade/Prime, fulfilled by
   Amazon, FBA, FBM, a storefront or amzn.to / a.co link) and its polarity: negated (`DENIES`),
   ended (`NO_LONGER`), or not (`SELLS`); a question is read with the answer that follows it.
A sentence naming no Amazon may still say where the business sells: "sold only in our shop" is
a denial, "sold here and at the shop" a fact (`CHANNELS`); a short label linking to a page of
the site itself ("Amazon" -> /collections/amazon) names a product line, not the marketplace.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from csflows.vetting.criteria.sentences import Sentence


class Reading(StrEnum):
    SELLS = "sells"  # it sells (or will sell) on Amazon
    DENIES = "denies"  # it says it does not sell on Amazon, or on any marketplace
    NO_LONGER = "no longer"  # it sold there and says it stopped
    CHANNELS = "channels"  # it says where it sells, and Amazon is not among them
    UNCLEAR = "unclear"  # Amazon as a place it may sell, but not said plainly: a person reads
    ASIDE = "aside"  # the company, not as a place it sells: Amazon Pay, AWS, a comparison
    OTHER_SENSE = "other sense"  # the rainforest, a street, a colour, a product name


@dataclass(frozen=True)
class Finding:
    """One sentence's reading, why, and the storefront link it carries if any."""

    reading: Reading
    sentence: str
    why: str
    link: str | None = None


TLDS = (
    r"com|ca|co\.uk|de|fr|it|es|co\.jp|com\.mx|com\.au|in|nl|se|pl|com\.br|sg|ae|sa|com\.tr|eg|"
    r"com\.be|ie"
)
# amazon.<tld>/sp?seller=..., /s?me=..., /stores/..., /shops/..., and the short links
STOREFRONT_LINK = re.compile(
    rf"""(?ix)
    (?:(?:https?:)?//)?(?<![\w.-])(?:www\.|smile\.)?
    (?:
        amazon\.(?:{TLDS})/(?:sp\?[^"'\s<>]*seller=|s\?[^"'\s<>]*\bme=|stores/|shops/)[^"'\s<>]*
      | (?:amzn\.to|amzn\.eu|a\.co)/[^"'\s<>]+
      | amzn\.com/[^"'\s<>]+
    )
    """
)
AMAZON_LINK = re.compile(rf"(?i)^(?:https?:)?//(?:[\w-]+\.)?amazon\.(?:{TLDS})/\S+")
MENTION = re.compile(
    rf"(?i)\bamazon(?:\.(?:{TLDS}))?(?:['’]s)?\b|\bFBA\b|\bFBM\b|\bseller\s+central\b|"
    r"\bPrime[\s-]+(?:eligible|shipping|delivery|members?|badge|day)\b"
)
MARKETPLACES = re.compile(
    r"(?i)\b(?:online\s+|third[\s-]party\s+|other\s+|major\s+|e-?commerce\s+)*"
    r"(?:marketplaces?|online\s+retailers|retail\s+platforms|selling\s+platforms)\b"
)
SELL_VERB = re.compile(
    r"(?i)\b(?:sell|sells|selling|sold|list|lists|listed|available|find|found|shop|buy|order|"
    r"purchase|stock|stocked|carried|carry|carries|offer|offers|offered|trade|trading)\b"
)
WORD = re.compile(r"[\w'’.-]*\w|[^\w\s]")

COMPANY_NEXT = {
    "seller", "sellers", "storefront", "storefronts", "store", "stores", "shop", "shops",
    "marketplace", "listing", "listings", "page", "account", "accounts", "prime", "fba", "fbm",
    "handmade", "business", "reviews", "review", "ratings", "rating", "best", "bestseller",
    "bestsellers", "best-seller", "best-sellers", "customers", "buyers", "shoppers", "orders",
    "sales", "brand", "exclusive", "exclusives", "choice", "launchpad", "products", "product",
    "items", "link", "links", "vendor", "central", "warehouse", "warehouses", "fulfillment",
    "fulfilment", "shipping", "delivery", "search", "merch", "app", "website", "site",
}  # fmt: skip
SERVICE_NEXT = {
    "pay", "web", "aws", "gift", "smile", "alexa", "echo", "kindle", "music", "video",
    "logistics", "basics", "fresh", "go", "prime video",
}  # fmt: skip
AFFILIATE_NEXT = {"affiliate", "affiliates", "associate", "associates", "influencer"}
NATURE_NEXT = {
    "rainforest", "rainforests", "river", "basin", "jungle", "region", "forest", "forests",
    "delta", "parrot", "parrots", "lily", "lilies", "warrior", "warriors", "women", "tribe",
    "tribes", "queen", "queens", "milk", "frog",
}  # fmt: skip
NATURE = re.compile(
    r"(?i)\b(?:rain\s?forests?|jungle|river|brazil|peru|tropical|basin|deforestation|"
    r"indigenous|wildlife|expedition)\b"
)
# a street or place named Amazon: "1840 Amazon Parkway", "the Amazon Creek bike path"
PLACE_NEXT = {
    "parkway", "pkwy", "street", "st", "avenue", "ave", "road", "rd", "drive", "dr", "boulevard",
    "blvd", "lane", "ln", "court", "ct", "plaza", "creek", "trail", "circle", "highway", "hwy",
    "square", "mall", "park",
}  # fmt: skip
COLOUR = re.compile(
    r"(?i)\b(?:colou?rs?|colou?rways?|shades?|hues?|finish(?:es)?|dyed|green|blue|red|teal|"
    r"turquoise|emerald|olive|jade|brown|ochre|gold|(?:back\s+)?in\s+stock|skeins?|yarns?)\b"
)  # the colour or product: "Amazon, a deep parrot green, is back in stock"
FUNCTION_WORDS = {
    "is", "are", "was", "were", "has", "have", "had", "and", "or", "but", "for", "to", "too",
    "as", "with", "in", "on", "at", "by", "of", "via", "since", "because", "so", "we", "you",
    "they", "it", "this", "that", "where", "when", "which", "who", "can", "will", "may",
    "might", "should", "could", "would", "does", "did", "do", "today", "now", "only", "also",
    "either", "nor", "yet", "until", "anymore", "ever", "com", "&", "uk", "us", "then", "than",
    "not", "if", "all",
}  # fmt: skip
PREPS = {"on", "at", "via", "through", "thru", "onto", "into", "to"}
LIST_WORDS = {
    "etsy", "ebay", "walmart", "wayfair", "faire", "target", "shopify", "instagram", "facebook",
    "tiktok", "our", "own", "website", "site", "store", "shop", "and", "or", "&", ",", "the",
    "web", "online", "in-store", "both", "also", "plus", "well", "as",
}  # fmt: skip

CLAUSE_BREAK = re.compile(
    r"(?i)\s*(?:[;:—–]|\s-\s|\b(?:but|however|although|though|whereas|while|yet|instead)\b)\s*"
)
EXCEPTION = re.compile(
    r"(?i)\b(?:except|excepting|other\s+than|apart\s+from|besides|save\s+for)\s+(?:\w+\s+){0,2}$"
)
NEGATION = re.compile(
    r"(?i)\b(?:not|no|never|nor|neither|none|without|refuse[sd]?|won['’]t|can['’]t|cannot|"
    r"don['’]t|doesn['’]t|didn['’]t|isn['’]t|aren['’]t|haven['’]t|hasn['’]t|wouldn['’]t)\b|n['’]t\b"
)
NOT_NEGATION = re.compile(
    r"(?i)^\s*(?:only|just|merely|simply|exclusively|solely|limited|matter|doubt|"
    r"\.?\s*\d|#|problem)\b"
)
ENDED_TIME = re.compile(
    r"(?i)\b(?:no\s+longer|not\s+any\s?more|used\s+to|formerly|previously|once\s+sold|"
    r"until\s+(?:\d{4}|recently|last)|in\s+the\s+past)\b"
)
ENDED_VERB = re.compile(
    r"(?i)\b(?:stopped|quit|ceased|left|closed|shut(?:\s+down)?|deactivated|ended|gave\s+up|"
    r"walked\s+away\s+from|moved\s+off|moved\s+away\s+from)\b"
)
ENDED_AFTER = re.compile(r"(?i)^\W*(?:\w+\s+){0,3}(?:is\s+|was\s+|now\s+)*(?:closed|shut|ended)\b")
NEGATION_AFTER = re.compile(
    r"(?i)^\W{0,3}(?:-\s*)?(?:free\b|no\b|never\b|nope\b|not\s+(?:for\s+us|here|ever|us)\b|"
    r"isn['’]t\s+for\s+us|is\s+not\s+for\s+us)"
)
CONTRAST = re.compile(
    r"(?i)(?:\b(?:unlike|than|versus|vs\.?|compared\s+(?:to|with)|similar\s+to|instead\s+of|"
    r"rather\s+than|alternative\s+to|compete\s+with|competing\s+with|beat|beats|against|"
    r"(?:giants?|retailers|stores|corporations|companies|chains|sites|platforms)\s+"
    r"(?:like|such\s+as))\s+(?:\w+\s+){0,2}|\blike\s+)$"
)
THIRD_PARTY = re.compile(
    r"(?i)\b(?:third[\s-]part(?:y|ies)|resellers?|re-sellers?|unauthori[sz]ed|counterfeits?|fakes?|"
    r"knock-?offs?|other\s+sellers|not\s+affiliated)\b"
)
AFFILIATE = re.compile(r"(?i)\b(?:qualifying\s+purchases|affiliate\s+links?|commissions?)\b")
TRADEMARK = re.compile(r"(?i)\btrademarks?\b|\b(?:®|™)")
BY_AMAZON = re.compile(
    r"(?i)\b(?:fulfill?ed|fulfill?ment|shipped|ships|sold|delivered|dispatched)\s+by\s+$"
)
FROM_AMAZON = re.compile(
    r"(?i)\b(?:buy|order|purchase|get|available|shop)\w*\s+(?:\w+\s+){0,3}from\s+$"
)
BUYS_FROM = re.compile(
    r"(?i)\bwe\s+(?:\w+\s+){0,2}(?:buy|order|purchase|source|get)\b(?:\s+\w+){0,4}\s+from\s+$"
)
CHANNELS = re.compile(
    r"(?i)\b(?:sell|sells|selling|sold|available|carried|stocked)\b(?:\s+\S+){0,6}?\s+"
    r"(?:here|(?:on|through|via|at|in|from)\s+(?:our|this|the|my)\s+(?:own\s+)?(?:\w+\s+){0,2}"
    r"(?:website|site|web\s?shop|shop|store|stores|studio|showroom|markets?|boutique|gallery|"
    r"workshop))\b"
)
ONLY = re.compile(r"(?i)(?<!not\s)\b(?:only|exclusively|solely)\b")
AMAZON_HOST = re.compile(r"(?i)\b(?:amazon\.|amzn\.|a\.co/)")
YES = re.compile(
    r"(?i)^\W*(?:yes|yep|yeah|absolutely|of\s+course|sure|definitely|indeed|we\s+do\b|you\s+can\b)"
)
NO = re.compile(
    r"(?i)^\W*(?:no\b|nope|never|sorry|unfortunately|not\b|only\b|we\s+(?:do\s+not|don['’]t)|"
    r"you\s+(?:can['’]t|cannot|won['’]t))"
)


def storefront_links(sentence: Sentence) -> list[str]:
    """Storefront and short links in the sentence's hrefs and in its text."""
    found = [h for h in sentence.links if STOREFRONT_LINK.fullmatch(h.strip())]
    found += [m.group(0) for m in STOREFRONT_LINK.finditer(sentence.text)]
    return list(dict.fromkeys(found))


def _clauses(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in CLAUSE_BREAK.finditer(text):
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def _tail(text: str, words: int) -> str:
    """The last `words` words of `text`: the reach of a negation or of "stopped"."""
    match = re.search(rf"(?:\S+\s+){{0,{words}}}\S*$", text)
    return match.group(0) if match else text


def _negated(before: str) -> bool:
    """A negation in the clause before the mention that is not "not only", "no. 1" ..."""
    return any(not NOT_NEGATION.match(before[m.end() :]) for m in NEGATION.finditer(before))


def _sense(text: str, start: int, end: int, mention: str) -> Reading | None:
    """OTHER_SENSE, ASIDE or UNCLEAR (an affiliate) when the word is not Amazon the place to
    sell; None when it is the company as a place to sell (or may be)."""
    if not mention.lower().startswith("amazon"):
        return None  # FBA, FBM, Seller Central, Prime shipping: the company
    before, after = _words(text[:start]), _words(text[end:])
    prev = before[-1] if before else ""
    nxt = after[0] if after else ""
    nxt2 = " ".join(after[:2])
    possessive = mention.lower().endswith(("'s", "’s"))
    if "." in mention or nxt in COMPANY_NEXT:
        return None
    if nxt in NATURE_NEXT or nxt in PLACE_NEXT:
        return Reading.OTHER_SENSE
    if nxt in SERVICE_NEXT or nxt2 in SERVICE_NEXT:
        return Reading.ASIDE
    if nxt in AFFILIATE_NEXT:
        return Reading.UNCLEAR
    if prev == "the":
        return Reading.OTHER_SENSE
    if prev in PREPS or _in_marketplace_list(before) or possessive:
        return None
    if NATURE.search(text) or COLOUR.search(text):
        return Reading.OTHER_SENSE
    if prev == "in" and re.match(r"\s*,\s*[A-Z]", text[end:]):
        return Reading.OTHER_SENSE  # "in Amazon, Sage and Rose"
    if nxt and nxt[0].isalpha() and nxt not in FUNCTION_WORDS:
        return Reading.OTHER_SENSE  # a product or colour name: "Amazon Tote", "Amazon Green"
    return None


def _in_marketplace_list(before: list[str]) -> bool:
    """`on Etsy, eBay and Amazon`, `on our website and Amazon`."""
    for i, word in enumerate(reversed(before[-8:])):
        if word in PREPS:
            return i > 0
        if word not in LIST_WORDS:
            return False
    return False


def _predicate(text: str, start: int, end: int, mention: str) -> bool:
    """The clause says the business is (or will be) on Amazon as a seller."""
    if not mention.lower().startswith("amazon"):
        return True
    before, after = text[:start], _words(text[end:])
    words = _words(before)
    prev = words[-1] if words else ""
    return bool(
        (after and after[0] in COMPANY_NEXT)
        or prev in PREPS
        or _in_marketplace_list(words)
        or BY_AMAZON.search(before)
        or FROM_AMAZON.search(before)
        or SELL_VERB.search(before)
    )


def _mention_reading(
    sentence: str, clause: tuple[int, int], previous: str, match: re.Match[str]
) -> tuple[Reading, str]:
    text = sentence[clause[0] : clause[1]]
    start, end = match.start() - clause[0], match.end() - clause[0]
    mention = match.group(0)
    if CONTRAST.search(text[:start]):
        return Reading.ASIDE, "a comparison with Amazon"
    if (sense := _sense(text, start, end, mention)) is not None:
        why = {
            Reading.OTHER_SENSE: "Amazon in another sense: a place, a colour or a product name",
            Reading.ASIDE: "an Amazon service, not a place to sell",
            Reading.UNCLEAR: "an Amazon affiliate: earns from Amazon sales; a person decides",
        }[sense]
        return sense, why
    before, after = text[:start], text[end:]
    if TRADEMARK.search(sentence):
        return Reading.ASIDE, "a trademark notice"
    if AFFILIATE.search(sentence):
        return Reading.UNCLEAR, "an Amazon affiliate: earns from Amazon sales; a person decides"
    if THIRD_PARTY.search(sentence) and not _negated(before):
        return Reading.UNCLEAR, "other sellers on Amazon; whether it sells there is not said"
    if BUYS_FROM.search(before):
        return Reading.ASIDE, "buys from Amazon, does not sell there"
    if (
        ENDED_TIME.search(_tail(before, 8))
        or ENDED_VERB.search(_tail(re.split(r"[,(]", before)[-1], 6))
        or ENDED_AFTER.match(after)
    ):
        return Reading.NO_LONGER, "no longer sells on Amazon"
    if exception := EXCEPTION.search(before):
        if _negated(previous + " " + before[: exception.start()]):
            return Reading.SELLS, "sells on Amazon: the one exception to where it does not"
        return Reading.DENIES, "does not sell on Amazon: the one exception to where it sells"
    if _negated(_tail(before, 12)) or NEGATION_AFTER.match(after):
        return Reading.DENIES, "does not sell on Amazon"
    if _predicate(text, start, end, mention):
        return Reading.SELLS, "sells on Amazon"
    return Reading.UNCLEAR, "names Amazon without saying whether it sells there; a person decides"


def _marketplace_reading(sentence: str) -> tuple[Reading, str] | None:
    """Unnamed marketplaces: denied is a denial of Amazon too; sold on is a question."""
    for start, end in _clauses(sentence):
        text = sentence[start:end]
        if match := MARKETPLACES.search(text):
            before = text[: match.start()]
            if _negated(before):
                return Reading.DENIES, "does not sell on any marketplace, Amazon included"
            if SELL_VERB.search(before) or re.search(r"(?i)\b(?:on|through|via)\s+$", before):
                return Reading.UNCLEAR, "sells on marketplaces it does not name; a person decides"
    return None


def _channels_reading(sentence: str) -> tuple[Reading, str] | None:
    """Where it says it sells, Amazon not named: "only" there is a denial; else a fact."""
    for start, end in _clauses(sentence):
        text = sentence[start:end]
        if CHANNELS.search(text):
            if ONLY.search(text):
                return Reading.DENIES, "sells only where it says, Amazon not among them"
            return Reading.CHANNELS, "where it sells; Amazon is not among them"
    return None


# the order in which one sentence's readings decide it: selling outweighs the rest
PRECEDENCE = [
    Reading.SELLS,
    Reading.UNCLEAR,
    Reading.DENIES,
    Reading.NO_LONGER,
    Reading.CHANNELS,
    Reading.ASIDE,
    Reading.OTHER_SENSE,
]


def read_sentence(sentence: str, links: Sequence[str] = ()) -> tuple[Reading, str, str | None]:
    """The sentence's reading, why, and its storefront link; (ASIDE, "", None) when it does not
    mention Amazon or marketplaces at all (callers skip those)."""
    readings: list[tuple[Reading, str]] = []
    clauses = _clauses(sentence)
    for i, clause in enumerate(clauses):
        previous = sentence[clauses[i - 1][0] : clauses[i - 1][1]] if i else ""
        for match in MENTION.finditer(sentence, clause[0], clause[1]):
            readings.append(_mention_reading(sentence, clause, previous, match))
    if not readings and (unnamed := _marketplace_reading(sentence)):
        readings.append(unnamed)
    if not readings and (channels := _channels_reading(sentence)):
        readings.append(channels)
    found = storefront_links(Sentence(sentence, tuple(links)))
    if found:
        said = {r for r, _ in readings}
        if said & {Reading.DENIES, Reading.NO_LONGER} and Reading.SELLS not in said:
            why = "an Amazon storefront link in a sentence that says it does not sell there; a person decides"
            return Reading.UNCLEAR, why, found[0]
        return Reading.SELLS, "an Amazon storefront link", found[0]
    if not readings:
        amazon = [h for h in links if AMAZON_LINK.match(h.strip())]
        if amazon:
            return Reading.UNCLEAR, "a link to Amazon; a person decides", amazon[0]
        return Reading.ASIDE, "", None
    reading, why = min(readings, key=lambda r: PRECEDENCE.index(r[0]))
    amazon = [h for h in links if AMAZON_LINK.match(h.strip())]
    if reading is Reading.UNCLEAR and _names_own_page(sentence, links):
        return Reading.OTHER_SENSE, "the name of a page of its own site", None
    if reading is Reading.UNCLEAR and amazon and len(sentence.split()) <= 3:
        return Reading.SELLS, "a link to its listings on Amazon", amazon[0]
    return reading, why, None


def _names_own_page(sentence: str, links: Sequence[str]) -> bool:
    """A short label ("Amazon", "The Amazon Collection") linking only to pages that are not
    Amazon's: a section or product line of the site, not the marketplace."""
    return (
        len(sentence.split()) <= 4 and bool(links) and not any(AMAZON_HOST.search(h) for h in links)
    )


def _answer(question: str, answer: Sentence | None) -> tuple[Reading, str] | None:
    """A question about selling on Amazon ("Do you sell on Amazon?") read with its answer."""
    if answer is None:
        return None
    if YES.match(answer.text):
        return Reading.SELLS, "yes to whether it sells on Amazon"
    if NO.match(answer.text) or _negated(answer.text):
        return Reading.DENIES, "no to whether it sells on Amazon"
    return None


def read_sentences(sentences: Sequence[Sentence]) -> list[Finding]:
    """Every sentence of a page that says something about Amazon, with its reading."""
    findings: list[Finding] = []
    skip_next = False
    for i, sentence in enumerate(sentences):
        if skip_next:
            skip_next = False
            continue
        reading, why, link = read_sentence(sentence.text, sentence.links)
        if not why:
            continue
        following = sentences[i + 1] if i + 1 < len(sentences) else None
        if sentence.text.rstrip().endswith("?") and reading is Reading.SELLS:
            answered = _answer(sentence.text, following)
            if following is not None and answered is None:
                own, _, _ = read_sentence(following.text, following.links)
                if own is not Reading.ASIDE or following.links:
                    continue  # the answer speaks for itself
            if answered is None:
                findings.append(
                    Finding(
                        Reading.UNCLEAR,
                        sentence.text,
                        "asks about Amazon but gives no answer; a person decides",
                    )
                )
                continue
            assert following is not None
            reading, why = answered
            findings.append(Finding(reading, f"{sentence.text} {following.text}", why, link))
            skip_next = True
            continue
        findings.append(Finding(reading, sentence.text, why, link))
    return findings


NO_STOREFRONT = re.compile(
    r"(?i)^\W*(?:n/?a|none|no|nil|null|nothing|not\s+applicable|no\s+(?:storefront|store|shop)|"
    r"(?:we\s+)?(?:do\s+not|don['’]t)\s+have\s+(?:one|a\s+store(?:front)?))\W*$|^\W*$"
)
ELSEWHERE = re.compile(
    r"(?i)\b(?:etsy|ebay|faire|shopify|walmart|wayfair|tiktok\s+shop|instagram|facebook)\b"
)


def read_storefront(answer: str | None) -> Finding | None:
    """The form's "storefront name or seller id" answer: a name or link is a storefront on
    Amazon; "none", a denial or a closed store is not; a shop elsewhere (Etsy) is aside."""
    text = " ".join((answer or "").split())
    if NO_STOREFRONT.match(text):
        return None
    if found := storefront_links(Sentence(text)):
        return Finding(Reading.SELLS, text, "an Amazon storefront link", found[0])
    reading, why, link = read_sentence(text)
    if why and reading is not Reading.UNCLEAR:
        return Finding(reading, text, why, link)
    if ENDED_VERB.search(text) or ENDED_TIME.search(text):
        return Finding(Reading.NO_LONGER, text, "no longer sells on Amazon")
    if _negated(text):
        return Finding(Reading.DENIES, text, "does not sell on Amazon")
    if ELSEWHERE.search(text) and not MENTION.search(text):
        return Finding(Reading.ASIDE, text, "a shop elsewhere, not on Amazon")
    return Finding(Reading.SELLS, text, "names an Amazon storefront")
