"""The business's models, one module per concept; import them from here."""

from csflows.models.assessment import CRITERIA, Assessment, MissingField, Recommendation
from csflows.models.checks import CheckResult, Evidence, Verdict
from csflows.models.common import Model
from csflows.models.customer import Customer
from csflows.models.division import Division, Level4Policy, Minimums
from csflows.models.inquiry import Address, NewCustomerInquiry, PaymentMethod, StoreType
from csflows.models.order import Order
from csflows.models.ticket import Attachment, Ticket, TicketStatus
from csflows.models.touchpoint import Outcome, Touchpoint, TouchpointKind
from csflows.models.vetting import ApprovalNudge, InquiryStatus, VettingOutcome

__all__ = [
    "CRITERIA",
    "Assessment",
    "MissingField",
    "Recommendation",
    "Address",
    "ApprovalNudge",
    "Attachment",
    "CheckResult",
    "Customer",
    "Division",
    "Evidence",
    "InquiryStatus",
    "Level4Policy",
    "Minimums",
    "Model",
    "NewCustomerInquiry",
    "Order",
    "Outcome",
    "PaymentMethod",
    "StoreType",
    "Ticket",
    "TicketStatus",
    "Touchpoint",
    "TouchpointKind",
    "Verdict",
    "VettingOutcome",
]
