"""An outbound message's progress in the outbox, and what one send attempt came to."""

from __future__ import annotations

from enum import StrEnum


class MessageStatus(StrEnum):
    """Where an outbound message is; stored as these strings in `messages.status`."""

    PENDING = "pending"  # recorded, being sent (or an attempt whose result was never recorded)
    SENT = "sent"
    FAILED = "failed"  # the last attempt failed; a re-run tries again


class DeliveryStatus(StrEnum):
    """What one send came to: sent now, or sent before under the same idempotency key."""

    SENT = "sent"
    ALREADY_SENT = "already_sent"
