"""Purchase-order PDFs made with reportlab, as a customer's system would send them."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

LINES = [
    ("SB-100", "Scrapbook album 12x12", 10, "24.50", "245.00"),
    ("ST-22", "Sticker sheets", 40, "3.25", "130.00"),
]


def po_pdf(
    po_number: str = "88412", total: str = "$375.00", lines=LINES, account: str = ""
) -> bytes:
    """A PO whose total appears only as the last row of its table."""
    styles = getSampleStyleSheet()
    rows = [["Item", "Description", "Qty", "Unit price", "Amount"]]
    rows += [[sku, desc, str(qty), unit, amount] for sku, desc, qty, unit, amount in lines]
    rows.append(["", "", "", "Total", total])
    story = [
        Paragraph("PURCHASE ORDER", styles["Title"]),
        Paragraph(f"PO Number: {po_number}", styles["Normal"]),
    ]
    if account:
        story.append(Paragraph(f"Account #: {account}", styles["Normal"]))
    story.append(Table(rows))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=letter).build(story)
    return buffer.getvalue()


def scanned_pdf() -> bytes:
    """A PDF with no text layer (what a scanner produces): there is nothing to read."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=letter)
    page.rect(72, 72, 300, 200, fill=1)
    page.showPage()
    page.save()
    return buffer.getvalue()


BROKEN_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nthis is not a pdf any more"
