"""Read a purchase order's number, lines and total from an email body or its PDF (seed 000).

Nothing here guesses: a PDF that cannot be read, a missing number or total, or two different
numbers for the same thing become `problems`, and an operator reads the PO instead.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from csflows import pdfs
from csflows.errors import PdfRefused, UnreadablePdf
from csflows.models.purchase_order import PoEmail, PoLine, PoReading

_PO_NUMBER = re.compile(
    r"""(?ix)
    \b(?:purchase\s+order|p\.?\s?o)(?:\b|(?=\d))\.?   # PO, P.O., Purchase Order, PO12345
    (?![^\S\n]*box\b)                                 # ... but not a P.O. Box
    [^\S\n]*(?:number|num\b\.?|no\b\.?|\#)?[^\S\n]*[:#\-]?[^\S\n]*   # on the same line
    (?P<number>[A-Z0-9][A-Z0-9\-/]{0,39})
    """
)
_PO_PREFIX = re.compile(r"(?i)^P\.?O\.?[-#]?(?=\d)")
_MONEY = r"\$?\s*(?:USD\s*)?(?P<amount>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)\b"
_TOTAL_LABELS = (  # strongest first
    (3, re.compile(r"(?i)\bgrand\s+total\b")),
    (2, re.compile(r"(?i)\b(?:order|po|p\.o\.)\s+total\b|\btotal\s+(?:amount|due|order)\b")),
    (2, re.compile(r"(?i)\bamount\s+due\b")),
    (
        1,
        re.compile(
            r"(?i)(?<!sub)(?<!sub-)(?<!sub )\btotal\b(?!\s*(?:qty|quantity|units|items|pieces|weight|lines)\b)"
        ),
    ),
)
_AMOUNT_AFTER_LABEL = re.compile(r"^[^\d\n$]{0,40}?" + _MONEY)
_AMOUNT_ONLY = re.compile(r"^\s*" + _MONEY + r"\s*$")
_LINE_ITEM = re.compile(
    r"^\s*(?P<description>\S.*?)\s+(?P<quantity>\d{1,6})\s+(?:x\s+|@\s*)?"
    r"\$?(?P<unit>\d{1,3}(?:,\d{3})*\.\d{2}|\d+\.\d{2})\s+(?:=\s*)?"
    r"\$?(?P<amount>\d{1,3}(?:,\d{3})*\.\d{2}|\d+\.\d{2})\s*$"
)
CENT = Decimal("0.01")


def pdf_text(content: bytes) -> str:
    """The text of a PDF, rows kept on one line (pypdf's layout mode), or UnreadablePdf."""
    from pypdf.errors import PyPdfError

    try:
        with pdfs.reading(content) as reader:
            if reader.is_encrypted and not reader.decrypt(""):
                raise UnreadablePdf("the PDF is encrypted")
            pages = [_page_text(page) for page in reader.pages]
    except UnreadablePdf:
        raise
    except PdfRefused as exc:
        raise UnreadablePdf(f"refused: {exc}") from exc
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise UnreadablePdf(f"the PDF cannot be read ({exc.__class__.__name__}: {exc})") from exc
    text = "\n".join(pages)
    if not text.strip():
        raise UnreadablePdf("the PDF has no text to read (a scanned image?)")
    return text


def _page_text(page: object) -> str:
    try:
        return str(page.extract_text(extraction_mode="layout"))  # type: ignore[attr-defined]
    except (ValueError, KeyError, TypeError, AttributeError):
        return str(page.extract_text())  # type: ignore[attr-defined]


def money(text: str) -> Decimal | None:
    """`$1,234.50` -> Decimal('1234.50'); None when it is not an amount."""
    try:
        return Decimal(text.replace(",", "").replace("$", "").strip()).quantize(CENT)
    except InvalidOperation:
        return None


def canonical_po_number(number: str) -> str:
    """`po-4512` -> `4512`: one spelling per PO, so re-sends and operators' readings match."""
    return _PO_PREFIX.sub("", number.strip().strip("-/")).upper()


def po_numbers(text: str) -> list[str]:
    """The distinct PO numbers in `text`, in order (a number has at least one digit).

    `PO-4512`, `PO4512`, `P.O. #4512` and `PO Number: PO-4512` are all the number `4512`, so a
    resend written differently is still the same PO.
    """
    found: list[str] = []
    for match in _PO_NUMBER.finditer(text):
        number = canonical_po_number(match["number"])
        if any(ch.isdigit() for ch in number) and number not in found:
            found.append(number)
    return found


def stated_totals(text: str) -> list[Decimal]:
    """The amounts next to the strongest total label in `text` (same line, or alone on the next)."""
    lines = text.splitlines()
    best_rank, amounts = 0, list[Decimal]()
    for index, line in enumerate(lines):
        for rank, label in _TOTAL_LABELS:
            hit = label.search(line)
            if hit is None:
                continue
            amount = _amount_after(line[hit.end() :], lines[index + 1 : index + 3])
            if amount is not None and rank >= best_rank:
                best_rank, amounts = rank, (amounts if rank == best_rank else [])
                if amount not in amounts:
                    amounts.append(amount)
            break
    return amounts


def _amount_after(rest: str, following: list[str]) -> Decimal | None:
    same_line = _AMOUNT_AFTER_LABEL.match(rest)
    if same_line:
        return money(same_line["amount"])
    if rest.strip():
        return None
    for line in following:
        if line.strip():
            alone = _AMOUNT_ONLY.match(line)
            return money(alone["amount"]) if alone else None
    return None


def line_items(text: str) -> list[PoLine]:
    """Lines that end `quantity unit-price amount` where quantity x unit price = amount."""
    items = []
    for line in text.splitlines():
        match = _LINE_ITEM.match(line)
        if not match:
            continue
        unit, amount = money(match["unit"]), money(match["amount"])
        quantity = int(match["quantity"])
        if unit is None or amount is None or (unit * quantity).quantize(CENT) != amount:
            continue
        description = re.sub(r"\s{2,}", " ", match["description"]).strip(" |")
        items.append(
            PoLine(description=description, quantity=quantity, unit_price=unit, amount=amount)
        )
    return items


def read_text(text: str, source: str) -> PoReading:
    """Read one document (a body or a PDF's text)."""
    problems = []
    numbers = po_numbers(text)
    if len(numbers) > 1:
        problems.append(f"{source}: several PO numbers ({', '.join(numbers)})")
    totals = stated_totals(text)
    if len(totals) > 1:
        problems.append(f"{source}: several totals ({', '.join(str(t) for t in totals)})")
    lines = line_items(text)
    total = totals[0] if len(totals) == 1 else None
    if total is None and not totals and lines:
        total = sum((line.amount for line in lines), Decimal("0.00"))
    elif total is not None and lines:
        lines_sum = sum((line.amount for line in lines), Decimal("0.00"))
        if total < lines_sum:
            problems.append(f"{source}: the total {total} is less than its lines ({lines_sum})")
    return PoReading(
        po_number=numbers[0] if len(numbers) == 1 else None,
        total=total,
        lines=lines,
        source=source,
        problems=problems,
    )


def read_purchase_order(email: PoEmail) -> PoReading:
    """Read the PO from the attached PDF when there is one, else from the subject and body."""
    problems: list[str] = []
    pdf_readings = []
    for attachment in email.attachments:
        if not attachment.is_pdf:
            continue
        try:
            pdf_readings.append(read_text(pdf_text(attachment.content), attachment.filename))
        except UnreadablePdf as exc:
            problems.append(f"{attachment.filename}: {exc}")
    body = read_text(f"{email.subject}\n{email.body}", "body")
    chosen = next((r for r in pdf_readings if r.po_number or r.total is not None), body)
    po_number = chosen.po_number or (body.po_number if not body.problems else None)
    problems += chosen.problems
    if po_number is None:
        problems.append("no PO number found")
    if chosen.total is None:
        problems.append("no total found")
    return chosen.model_copy(
        update={"po_number": po_number, "problems": problems},
    )


def readable_text(email: PoEmail) -> str:
    """Everything readable in the email: subject, body, and each PDF that has text."""
    parts = [email.subject, email.body]
    for attachment in email.attachments:
        if attachment.is_pdf:
            try:
                parts.append(pdf_text(attachment.content))
            except UnreadablePdf:
                continue
    return "\n".join(parts)
