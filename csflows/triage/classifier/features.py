"""What the triage model reads of a message: the new text (quoted history and signatures cut),
the quoted text apart, the subject, and structural signals (direction, a supplier among the
recipients, attachments, reply or forward, reference numbers, empty body) as tokens. Direction
and suppliers are told by a world's domains, and those domains in the text are written as the
same words in every world, so the model reads a team's mail as it read the writers'.

The stripper is a small set of line rules rather than `mail-parser-reply` 1.36: measured on the
training mail, that parser took 0.7 to 1.6 ms a message (under 1,500 a second, before any model)
and gave no better leave-one-writer-out accuracy (0.842 against 0.846 with these rules).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from csflows.triage.mail.inbound import InboundMail, direction_of, to_supplier
from csflows.triage.policy import World

# A line that starts quoted history or a forwarded message, in the languages the mail uses.
_QUOTE_HEADER = re.compile(
    r"""^\s*(?:
        (?:on|el|le|am)\s.{0,200}?(?:wrote|escribi[oó]|a\s[ée]crit|schrieb)\s*:
      | -{2,}\s*(?:original\s+message|mensaje\s+original|message\s+d'origine)\s*-{2,}
      | -{2,}\s*(?:forwarded\s+message|mensaje\s+reenviado|message\s+transf[ée]r[ée])\s*-{2,}
      | begin\s+forwarded\s+message\s*:
      | _{10,}\s*$
    )""",
    re.I | re.X | re.S,
)
# An Outlook header block: "From:"/"De:" followed within a few lines by Sent/Date/To/Subject.
_HEADER_FROM = re.compile(r"^\s*\*?(?:from|de|von|envoy[ée] par)\s*:\*?\s*\S", re.I)
_HEADER_NEXT = re.compile(
    r"^\s*\*?(?:sent|date|to|subject|enviado(?:\s+el)?|fecha|para|asunto|envoy[ée]|[àa]|objet)"
    r"\s*:",
    re.I,
)
_SIGN_OFF = re.compile(
    r"^\s*(?:--\s*$|sent\s+from\s+my\s|enviado\s+desde\s+mi\s|envoy[ée]\s+de\s+mon\s|get\s+outlook)",
    re.I,
)
_REPLY_SUBJECT = re.compile(r"^\s*(?:re|aw|rv|r|sv)\s*:", re.I)
_FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|fw|rv|tr|reenv)\s*:", re.I)
_NAME_SPLIT = re.compile(r"[^a-z0-9]+")
# Reference numbers the business writes (PO 77812, OC 4398, Q-20418, INV-300412, job J-5012,
# SO-88120, a UPS tracking number), in English and Spanish.
_REFERENCES: dict[str, re.Pattern[str]] = {
    "po": re.compile(
        r"\b(?:p\.?\s?o\.?|purchase\s+order|orden\s+de\s+compra|oc)\s*(?:#|no\.?|number|n[uú]m\.?)?"
        r"\s*:?\s*[a-z]{0,4}-?\d{3,}",
        re.I,
    ),
    "quote": re.compile(
        r"\b(?:q-?\d{4,}|(?:quot(?:e|ation)|cotizaci[oó]n|devis)\s*(?:#|no\.?)?\s*[a-z]{0,3}-?\d{3,})",
        re.I,
    ),
    "invoice": re.compile(
        r"\b(?:inv(?:oice)?|factura|facture)\s*(?:#|no\.?)?[-\s]*[a-z]?\d{3,}", re.I
    ),
    "job": re.compile(r"\b(?:job(?:\s*ticket)?\s*#?\s*j?-?\d{3,}|j-\d{3,})", re.I),
    "sales_order": re.compile(r"\b(?:so|sales\s+order|pedido)\s*#?-?\s*[a-z]?\d{4,}", re.I),
    "tracking": re.compile(r"\b(?:1z[0-9a-z]{16}|tracking|rastreo|gu[ií]a)\b", re.I),
    "rfq": re.compile(r"\b(?:rfq|rfp|request\s+for\s+(?:quot|pric|propos))", re.I),
}


SUBJECT, NEW, QUOTED, SIGNALS, TEXT, DIRECTED = range(6)  # the columns of a message's row
# Character n-grams read the subject and the first 600 characters of the new text: the type is
# in the opening lines, and the n-grams of a long body cost most of the classifying time.
CHAR_TEXT_LIMIT = 600
_WORD = re.compile(r"[^\W\d_]{2,}")


@dataclass(frozen=True)
class MailParts:
    """A message as the model's columns: subject, new text, quoted text, signal tokens."""

    subject: str
    new: str
    quoted: str
    signals: str
    direction: str

    def row(self) -> list[str]:
        """The columns in `SUBJECT` ... `DIRECTED` order. DIRECTED is the subject's and new
        text's words and the signals prefixed with the direction, so a word can mean one type
        from a customer and another from a supplier ("late" is a complaint or a status update;
        an invoice attached by us is our invoice, by a customer a question about one)."""
        text = f"{self.subject}\n{self.new}"
        words = _WORD.findall(text.lower())
        signals = self.signals.split()[1:]  # the first is the direction itself
        directed = " ".join(f"{self.direction}_{w}" for w in [*words, *signals])
        chars = text[:CHAR_TEXT_LIMIT]
        return [self.subject, self.new, self.quoted, self.signals, chars, directed]


def split_reply(body: str) -> tuple[str, str]:
    """(what is new, the quoted history) of a body: the new part ends at the first quote header,
    Outlook header block or sign-off; "> " lines anywhere are history."""
    lines = body.replace("\r\n", "\n").split("\n")
    new: list[str] = []
    quoted: list[str] = []
    cut = False
    for i, line in enumerate(lines):
        if not cut and (_QUOTE_HEADER.match(line) or _starts_header_block(lines, i)):
            cut = True
        if not cut and _SIGN_OFF.match(line):
            cut = True
            continue
        if cut or line.lstrip().startswith(">"):
            quoted.append(line.lstrip("> \t"))
        else:
            new.append(line)
    if not cut:
        new, quoted = _two_line_wrote(new, quoted)
    return "\n".join(new).strip(), "\n".join(quoted).strip()


def _starts_header_block(lines: Sequence[str], i: int) -> bool:
    if not _HEADER_FROM.match(lines[i]):
        return False
    following = [line for line in lines[i + 1 : i + 5] if line.strip()]
    return any(_HEADER_NEXT.match(line) for line in following[:3])


def _two_line_wrote(new: list[str], quoted: list[str]) -> tuple[list[str], list[str]]:
    """Gmail wraps a long "On <date>, <name> <address>" line before "wrote:"."""
    for i in range(len(new) - 1):
        if _QUOTE_HEADER.match(f"{new[i]} {new[i + 1]}") and new[i + 1].rstrip().endswith(":"):
            return new[:i], [*new[i:], *quoted]
    return new, quoted


def signals(mail: InboundMail, world: World, new: str) -> list[str]:
    """Structural tokens: direction and a supplier among the recipients (in `world`),
    attachments, reply/forward, reference numbers, empty body."""
    tokens = [f"dir_{direction_of(mail, world).value}"]
    if to_supplier(mail, world):
        tokens.append("to_supplier")
    if not mail.attachments:
        tokens.append("att_none")
    for name in mail.attachments:
        stem, _, extension = name.lower().rpartition(".")
        tokens.append(f"ext_{extension or 'none'}")
        tokens += [
            f"attw_{w}" for w in _NAME_SPLIT.split(stem or extension) if w and not w.isdigit()
        ]
    if _REPLY_SUBJECT.match(mail.subject):
        tokens.append("subj_reply")
    if _FORWARD_SUBJECT.match(mail.subject):
        tokens.append("subj_forward")
    if len(new.split()) < 4:
        tokens.append("body_empty" if not new.strip() else "body_short")
    text = f"{mail.subject}\n{new}\n{' '.join(mail.attachments)}"
    tokens += [f"ref_{kind}" for kind, pattern in _REFERENCES.items() if pattern.search(text)]
    return tokens


# What a world's own and supplier domains become in a message's text: the same words in every
# world, so no feature learns the training mail's domains (a signature's maria@advantus.com and
# a team's maria@corvane.example read alike).
OWN_DOMAIN, SUPPLIER_DOMAIN = "owndomain", "supplierdomain"


@lru_cache(maxsize=32)
def _domains_pattern(own: tuple[str, ...], suppliers: tuple[str, ...]) -> re.Pattern[str]:
    """A world's domains (a subdomain's too: orders.packright.test), the longest first."""
    domains = sorted([*own, *suppliers], key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, domains)) + r")(?![\w-])", re.I)


def in_world_words(mail: InboundMail, world: World) -> InboundMail:
    """The message's subject, body and attachment names with `world`'s own domains written
    `OWN_DOMAIN` and its suppliers' `SUPPLIER_DOMAIN` (the sender and recipients are left as
    they are: they tell the direction)."""
    own, suppliers = tuple(world.own_domains), tuple(world.supplier_domains)
    pattern = _domains_pattern(own, suppliers)

    def neutral(text: str) -> str:
        return pattern.sub(lambda m: OWN_DOMAIN if m[0].lower() in own else SUPPLIER_DOMAIN, text)

    return InboundMail(
        mail.sender,
        mail.to,
        neutral(mail.subject),
        neutral(mail.body),
        [neutral(a) for a in mail.attachments],
    )


def mail_parts(mail: InboundMail, world: World) -> MailParts:
    """The columns the model's pipeline reads, the direction told in `world` (the writers' for
    training mail, the team's for the team's)."""
    direction = direction_of(mail, world).value
    mail = in_world_words(mail, world)
    new, quoted = split_reply(mail.body)
    return MailParts(
        subject=mail.subject,
        new=new,
        quoted=quoted,
        signals=" ".join(signals(mail, world, new)),
        direction=direction,
    )
