"""The business's models, one module per concept; import them from here."""

from csflows.models.assessment import CRITERIA, Assessment, MissingField, Recommendation
from csflows.models.checks import CheckResult, Evidence, Verdict
from csflows.models.common import Model
from csflows.models.customer import Customer, CustomerStatus
from csflows.models.division import Division, Level4Policy, Minimums
from csflows.models.inquiry import Address, NewCustomerInquiry, PaymentMethod, StoreType
from csflows.models.message import DeliveryStatus, MessageStatus
from csflows.models.order import Order, OrderStatus
from csflows.models.ticket import Attachment, Ticket, TicketStatus
from csflows.models.touchpoint import Outcome, Touchpoint, TouchpointKind, TouchpointStatus
from csflows.models.vetting import ApprovalNudge, BurstOutcome, InquiryStatus, VettingOutcome

__all__ = [
    "CRITERIA",
    "Assessment",
    "MissingField",
    "Recommendation",
    "Address",
    "ApprovalNudge",
    "BurstOutcome",
    "Attachment",
    "CheckResult",
    "Customer",
    "CustomerStatus",
    "DeliveryStatus",
    "Division",
    "Evidence",
    "InquiryStatus",
    "Level4Policy",
    "MessageStatus",
    "Minimums",
    "Model",
    "NewCustomerInquiry",
    "Order",
    "OrderStatus",
    "Outcome",
    "PaymentMethod",
    "StoreType",
    "Ticket",
    "TicketStatus",
    "Touchpoint",
    "TouchpointKind",
    "TouchpointStatus",
    "Verdict",
    "VettingOutcome",
]
