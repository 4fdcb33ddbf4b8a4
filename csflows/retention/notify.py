"""A templated email sent once under its key: the one way the cadence writes to people."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from csflows.outbox import Attachment, Delivery, MailSender, OutgoingEmail, send_email
from csflows.templates import render


def send_templated(
    key: str,
    to: str,
    template: str,
    values: dict[str, Any],
    customer_id: str | None = None,
    attachments: Sequence[Attachment] = (),
    *,
    mail: MailSender,
    reply_to: Sequence[str] = (),
) -> Delivery:
    """Render `config/templates/<template>.txt.j2` with `values` and send it once per `key`."""
    message = render(template, **values)
    return send_email(
        OutgoingEmail(
            key=key,
            to=to,
            subject=message.subject,
            body=message.body,
            template=template,
            values=values,
            customer_id=customer_id,
            attachments=list(attachments),
            reply_to=list(reply_to),
        ),
        mail,
    )
