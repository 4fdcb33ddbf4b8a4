"""Tasks of the monthly tier evaluation: thin wrappers over `csflows.tiers`, one batch each."""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.logging import get_run_logger

from blocks import SmtpServer, resolve
from csflows.errors import DeliveryError, HeaderInjectionError
from csflows.outbox import OutgoingEmail, send_email
from csflows.tiers import tier_policy
from csflows.tiers.evaluation import RangeOutcome, customer_ranges, evaluate_range
from csflows.tiers.notices import MailCounts
from tasks.retry import TRANSIENT_RETRIES


@task(name="customer-batches")
def customer_batches(size: int) -> list[tuple[str, str]]:
    """The customers in batches of `size`: (first id, last id) ranges."""
    return customer_ranges(size)


@task(name="evaluate-tiers", task_run_name="tiers {customer_range[0]}..{customer_range[1]}")
def evaluate_tiers(customer_range: tuple[str, str], as_of: date) -> RangeOutcome:
    """One batch: sums, grace periods, history and customers.tier, in one transaction."""
    return evaluate_range(customer_range, as_of, tier_policy())


@task(name="send-tier-mail", task_run_name="mail {kind}", **TRANSIENT_RETRIES)
def send_tier_mail(kind: str, emails: list[OutgoingEmail]) -> MailCounts:
    """Send a batch; each message once by its key, so a retry after an outage sends only the rest.

    A message that can never go (a bad header) is logged and skipped; an outage raises after
    the whole batch was tried, for the retry."""
    logger = get_run_logger()
    smtp = resolve(SmtpServer)
    counts = MailCounts()
    for outgoing in emails:
        try:
            counts.delivered(send_email(outgoing, smtp).status)
        except HeaderInjectionError as exc:
            counts.refused += 1
            logger.error("%s for customer %s not sent: %s", kind, outgoing.customer_id, exc)
        except DeliveryError:
            counts.undelivered += 1
    if counts.undelivered:
        raise DeliveryError(f"{counts.undelivered} {kind} message(s) not delivered yet")
    return counts
