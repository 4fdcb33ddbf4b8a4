"""Sample data for a first look: customers from config/demo, and runs of the served flows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from csflows import customers, orders
from csflows.paths import config_dir
from csflows.people import people
from csflows.purchase_orders import demo as purchase_orders_demo
from csflows.triage.mail import intake
from csflows.triage.review import needing_review, record_review_run
from csflows.triage.routing import triage_tickets


def run(folder: Path | None = None) -> Iterator[str]:
    """Load the demo customers and orders, then start each procedure's sample runs."""
    folder = folder or config_dir() / "demo"
    yield from load(folder)
    yield from purchase_orders_demo.start_sample_runs(folder)
    yield from start_sample_inquiries(folder)
    yield from start_sample_ticket_reviews(folder)


def load(folder: Path | None = None) -> Iterator[str]:
    """Load the demo customers and orders into the store (no Prefect server needed)."""
    folder = folder or config_dir() / "demo"
    count = customers.import_csv(folder / "customers.csv")
    yield f"loaded {count} demo customers from {folder / 'customers.csv'}"
    if (folder / "orders.csv").exists():
        count = orders.import_csv(folder / "orders.csv")
        yield f"loaded {count} demo orders from {folder / 'orders.csv'} (tiers: recompute-tiers)"


def start_sample_inquiries(folder: Path) -> Iterator[str]:
    """Submit each `inquiries/*.json` to vet-new-customer, so the approval gate shows in the UI."""
    from csflows.vetting.gates import submit

    for file in sorted((folder / "inquiries").glob("*.json")):
        try:
            _run_id, link = submit(json.loads(file.read_text(encoding="utf-8")), source="demo")
        except Exception as exc:  # the deployment is not served, or no server: say so, go on
            yield f"inquiry {file.name}: not started ({exc.__class__.__name__}: {exc})"
            return
        yield f"inquiry {file.name}: vetting started, {link}"
        if "awaiting-first-po" in file.stem:
            yield approve_for_the_first_po(_run_id)


def approve_for_the_first_po(run_id: str, wait_seconds: float = 120) -> str:
    """Approve one sample vetting as the first supervisor of people.yaml, so the first-PO gate
    shows too (it waits for the applicant's PO)."""
    import time
    from uuid import UUID

    from prefect import get_client
    from prefect.flow_runs import resume_flow_run

    deadline = time.monotonic() + wait_seconds
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            state = client.read_flow_run(UUID(run_id)).state
            if state is not None and state.name == "Suspended":
                break
            time.sleep(2)
        else:
            return f"run {run_id} did not reach the supervisor's gate in {wait_seconds:g} s"
    resume_flow_run(
        UUID(run_id),
        run_input={
            "decision": "approve",
            "reviewer": people().supervisor.name,
            "note": "Demo: approved so the first-PO gate shows.",
        },
    )
    return f"run {run_id}: approved (demo); it now waits for the first PO"


def _ticket_state(ticket_id: int) -> tuple[str, str | None]:
    """(status, review run id) of a stored ticket."""
    from csflows import store
    from csflows.store.tables import TicketRow

    with store.session() as s:
        row = s.get(TicketRow, ticket_id)
        return (row.status, row.review_run_id) if row else ("", None)


def start_sample_ticket_reviews(folder: Path) -> Iterator[str]:
    """Store each `tickets/*.eml` as an inbox would and start its review when the classifier is
    unsure, so the ticket-review gate shows in the UI."""
    from prefect.deployments import run_deployment

    for file in sorted((folder / "tickets").glob("*.eml")):
        ticket_id = intake.store_message("demo", file.read_bytes())
        triage_tickets([ticket_id])
        if needing_review(limit=1000).count(ticket_id) == 0:
            # the served triage-inbox may have typed it first, and started its review
            status, review_run = _ticket_state(ticket_id)
            if status == "needs_triage" and review_run:
                yield f"ticket {file.name}: waits for a person to type it (run {review_run})"
            else:
                yield f"ticket {file.name}: typed without a person"
            continue
        try:
            run = run_deployment(
                "review-ticket/ticket-review",
                parameters={"ticket_id": ticket_id},
                timeout=0,
                idempotency_key=f"ticket:{ticket_id}:review",
            )
        except Exception as exc:  # the deployment is not served, or no server: say so, go on
            yield f"ticket {file.name}: review not started ({exc.__class__.__name__}: {exc})"
            return
        record_review_run(ticket_id, str(run.id))  # type: ignore[union-attr]
        yield f"ticket {file.name}: waits for a person to type it (run {run.id})"  # type: ignore[union-attr]
