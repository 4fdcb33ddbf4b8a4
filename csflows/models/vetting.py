"""What a vetting (seed 001) is at and what it ends with: the inquiry's status in the store, the
vet-new-customer run's outcome, and the nudges watch-approvals sends."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from csflows.models.common import Model


class InquiryStatus(StrEnum):
    """Where an inquiry is; stored as these strings in `inquiries.status`."""

    RECEIVED = "received"  # stored raw, being checked
    RETURNED_FOR_COMPLETION = "returned_for_completion"  # the form went back to the applicant
    AWAITING_APPROVAL = "awaiting_approval"  # at the supervisor's gate
    INFO_REQUESTED = "info_requested"  # the supervisor asked the applicant for more
    AWAITING_FIRST_PO = "awaiting_first_po"  # approved; the customer comes with the first PO
    DECLINED = "declined"
    CUSTOMER_CREATED = "customer_created"

    @property
    def active(self) -> bool:
        """A run is (or should be) working on it: a second submission is not a new vetting."""
        return self in _ACTIVE

    @property
    def finished(self) -> bool:
        """Decided for good: a submission again is a duplicate, whoever owned it."""
        return self in _FINISHED


_ACTIVE = frozenset(
    {
        InquiryStatus.RECEIVED,
        InquiryStatus.AWAITING_APPROVAL,
        InquiryStatus.INFO_REQUESTED,
        InquiryStatus.AWAITING_FIRST_PO,
    }
)
_FINISHED = frozenset({InquiryStatus.DECLINED, InquiryStatus.CUSTOMER_CREATED})


class VettingOutcome(Model):
    """What a vet-new-customer run ended with (its return value, persisted by Prefect).

    duplicate_of: the run that already has this inquiry; answered: the run the re-submitted form
    answered; customer_id and netsuite_id: the customer created (NetSuite's id when configured);
    returned_by: the rep asked to send the form back when it gives no usable email."""

    inquiry_id: int
    status: InquiryStatus
    duplicate_of: str | None = None
    answered: str | None = None
    customer_id: str | None = None
    netsuite_id: str | None = None
    returned_by: str | None = None  # the rep asked to send an incomplete form back (no email)


class BurstOutcome(Model):
    """What a vet-inquiry-burst run did: `gates` maps each checked inquiry to its vetting run,
    created waiting at the approval gate; `own_runs`: vetting runs started the usual way for
    forms that go back to the applicant; `answered` and `duplicates`: inquiries the forms
    answered (a waiting info request) or that were already being vetted."""

    gates: dict[int, str] = {}
    own_runs: list[str] = []
    answered: list[int] = []
    duplicates: list[int] = []


class ApprovalNudge(Model):
    """A reminder to the supervisor, or the escalation to the manager, about one inquiry."""

    inquiry_id: int
    action: Literal["reminder", "escalation"]
    to: str
