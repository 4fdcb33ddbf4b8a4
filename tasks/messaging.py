"""Send mail as a Prefect task: once per idempotency key, retried while the server is down."""

from __future__ import annotations

from prefect import task

from blocks import SmtpServer, resolve
from csflows.outbox import Delivery, OutgoingEmail, send_email
from tasks.retry import TRANSIENT_RETRIES


@task(name="send-email", task_run_name="email {outgoing.key}", **TRANSIENT_RETRIES)
def send_email_task(outgoing: OutgoingEmail) -> Delivery:
    """The store's idempotency key, not a Prefect cache, guarantees once: it survives re-runs."""
    return send_email(outgoing, resolve(SmtpServer))
