"""A mailbox backlog, for the e2e test and the bench: the labelled training mail as mails waiting
in a real IMAP inbox (Dovecot), the deployments triage creates runs of registered and not served
(a routed run waits Scheduled; a review gate is created Suspended), and the runs of a
deployment read back through the API.

`python -m tests.support.backlog NAME...` serves those deployments of prefect.yaml alone, as
`csflows serve` serves them all."""

from __future__ import annotations

import json
import mimetypes
import random
import sys
from collections.abc import Iterator
from email.message import EmailMessage
from itertools import cycle, islice
from pathlib import Path
from typing import Any

from csflows.paths import PROJECT_ROOT
from tests.support.imap import DovecotServer

INBOX = "default"  # the shipped inboxes.yaml's name: its mailbox marking applies
TRAINING = PROJECT_ROOT / "config" / "training"
REVIEW_DEPLOYMENT = "review-ticket/ticket-review"
RETURNED_FORM = "New Customer - Inquiry Form Returned"  # its PDF is csflows' own form


def training_rows(folder: Path = TRAINING) -> list[dict[str, Any]]:
    """Every writer's labelled mail, shuffled the same way each run: a few hundred mails mix
    every writer, style and type, as an inbox after a weekend does."""
    rows: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    random.Random(24).shuffle(rows)
    return rows


def message_id(n: int, row: dict[str, Any]) -> str:
    """The n-th backlog mail's own Message-ID (rows repeat when the backlog is longer)."""
    return f"<backlog-{n}-{row['id']}@bench.example>"


def backlog(count: int, folder: Path = TRAINING) -> Iterator[bytes]:
    """`count` mails from the training rows in turn, each with its own Message-ID; attachments
    by name with a few placeholder bytes (what triage reads of them is the name and type), but
    a returned form's PDF is csflows' own inquiry form, blank, as triage reads it."""
    from csflows.vetting.forms.pdf import shipped_pdf

    form = shipped_pdf().read_bytes()
    for n, row in enumerate(islice(cycle(training_rows(folder)), count)):
        message = EmailMessage()
        message["From"] = row["from"]
        message["To"] = ", ".join(row["to"]) if isinstance(row["to"], list) else row["to"]
        if row.get("cc"):
            message["Cc"] = ", ".join(row["cc"])
        message["Subject"] = row["subject"]
        message["Message-ID"] = message_id(n, row)
        message.set_content(row["body"] or " ")
        for name in row.get("attachments") or []:
            kind = (mimetypes.guess_type(name)[0] or "application/octet-stream").split("/")
            returned = row["type"] == RETURNED_FORM and name.lower().endswith(".pdf")
            content = form if returned else b"placeholder"
            message.add_attachment(content, kind[0], kind[1], filename=name)
        yield message.as_bytes()


def fill_inbox(dovecot: DovecotServer, count: int, folder: Path = TRAINING) -> None:
    """APPEND the backlog to INBOX's mailbox over one IMAP session."""
    with dovecot.client(INBOX) as client:
        for raw in backlog(count, folder):
            client.append("INBOX", raw)


def inbox_env(dovecot: DovecotServer) -> dict[str, str]:
    """What points triage at INBOX's mailbox on `dovecot`, and at that inbox alone."""
    fields = dovecot.env(INBOX).items()
    return {
        "CSFLOWS_INBOXES": INBOX,
        **{f"CSFLOWS_IMAP_{INBOX.upper()}_{key}": value for key, value in fields},
    }


def register_deployments(served: tuple[str, ...] = ()) -> None:
    """Every deployment of prefect.yaml but the `served` ones registered, not served: nothing
    runs them (the runs triage routes to wait Scheduled, its review gates are made Suspended)."""
    from deployments.serve import build_deployments

    for deployment in build_deployments():
        if deployment.name not in served:
            deployment.apply()


def deployment_runs(name: str = REVIEW_DEPLOYMENT) -> list[Any]:
    """Every run (FlowRun) of deployment `name` (`flow/deployment`; default the review queue's),
    read through the API 200 at a time."""
    from prefect import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.client.schemas.sorting import FlowRunSort

    runs: list[Any] = []
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(name)
        while True:
            page = client.read_flow_runs(
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id])),
                sort=FlowRunSort.ID_DESC,
                limit=200,
                offset=len(runs),
            )
            runs += page
            if len(page) < 200:
                return runs


def serve_only(names: list[str]) -> None:
    """Serve the deployments of prefect.yaml named `names` (blocks until interrupted)."""
    from prefect import serve

    from deployments.serve import build_deployments

    serve(*[d for d in build_deployments() if d.name in names])


if __name__ == "__main__":
    serve_only(sys.argv[1:])
