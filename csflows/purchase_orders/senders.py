"""Who sent a PO: a customer (by email, domain or account number), an applicant, or unknown.

An exact address is the strongest evidence, so an applicant awaiting a first PO who wrote from
their own address comes before a customer who merely shares the mail domain.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from csflows import store
from csflows.models import InquiryStatus
from csflows.models.purchase_order import PoEmail, Sender, SenderKind
from csflows.purchase_orders.action import account_numbers, mail_domain, public_domain
from csflows.store.tables import CustomerRow, InquiryRow
from csflows.tiers.service import customer_tiers, tier_label


def _customer(row: CustomerRow, email: PoEmail, matched_by: str) -> Sender:
    return Sender(
        kind=SenderKind.CUSTOMER,
        matched_by=matched_by,
        email=email.sender,
        name=row.name,
        customer_id=row.id,
        division=row.division,
        level=row.level,
    )


def _one(rows: list[CustomerRow]) -> CustomerRow | None:
    return rows[0] if len(rows) == 1 else None


def _by_account(s: Session, numbers: list[str]) -> list[CustomerRow]:
    if not numbers:
        return []
    query = select(CustomerRow).where(
        or_(CustomerRow.id.in_(numbers), CustomerRow.netsuite_id.in_(numbers))
    )
    return list(s.scalars(query.limit(2)))


def identify_sender(email: PoEmail, text: str, public_domains: list[str]) -> Sender:
    """The PO's sender; `text` is everything readable in the PO (for an account number). A
    customer's comes with their service tier (seed 003), for the people who work the PO."""
    sender = _identify(email, text, public_domains)
    if sender.customer_id is None:
        return sender
    tier = customer_tiers([sender.customer_id]).get(sender.customer_id)
    return sender.model_copy(update={"tier": tier_label(tier)})


def _identify(email: PoEmail, text: str, public_domains: list[str]) -> Sender:
    address = email.sender.strip().lower()
    numbers = account_numbers(text)
    notes = []
    with store.session() as s:
        by_email = list(
            s.scalars(select(CustomerRow).where(func.lower(CustomerRow.email) == address).limit(5))
        )
        if len(by_email) > 1:  # one buyer for several accounts: the account number decides
            quoted = [r for r in by_email if r.id in numbers or r.netsuite_id in numbers]
            by_email = quoted if len(quoted) == 1 else by_email
            if len(by_email) > 1:
                notes.append(f"{len(by_email)} customers use {address}")
        if row := _one(by_email):
            return _customer(row, email, "email")
        inquiry = s.scalar(
            select(InquiryRow)
            .where(
                func.lower(InquiryRow.email) == address,
                InquiryRow.status == InquiryStatus.AWAITING_FIRST_PO.value,
            )
            .order_by(InquiryRow.id.desc())
        )
        if inquiry is not None:
            return Sender(
                kind=SenderKind.APPLICANT,
                matched_by="email",
                email=email.sender,
                name=inquiry.business_name,
                inquiry_id=inquiry.id,
                division=inquiry.division,
            )
        if not by_email and not public_domain(address, public_domains):
            domain = mail_domain(address)
            by_domain = list(
                s.scalars(
                    select(CustomerRow)
                    .where(func.lower(CustomerRow.email).endswith(f"@{domain}", autoescape=True))
                    .limit(2)
                )
            )
            if row := _one(by_domain):
                return _customer(row, email, "domain")
            if by_domain:
                notes.append(f"several customers use the domain {domain}")
        if row := _one(_by_account(s, numbers)):
            return _customer(row, email, "account_number")
    return Sender(
        kind=SenderKind.UNKNOWN, email=email.sender, name=email.sender_name, note="; ".join(notes)
    )
