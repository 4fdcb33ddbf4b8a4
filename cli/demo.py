"""`csflows demo`: sample customers from config/demo, and sample runs of the served flows (an
inquiry per vetting path, a purchase order per branch, a ticket for the review queue).

The vetting samples show every path as designed only when vet-new-customer is served in the
demo world (`scripts/start --demo`: `csflows serve --stand-ins`); the demo says which world the
served deployment checks against.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import typer

from csflows import customers, orders, store
from csflows.models import TicketStatus
from csflows.paths import config_dir
from csflows.people import people
from csflows.store.tables import TicketRow
from tasks import vetting_gates

PURCHASE_ORDERS = "handle-purchase-order/handle-purchase-order"

IN_THE_DEMO_WORLD = (
    "demo world: Google Maps, RDAP and the applicants' websites are local stand-ins on "
    "127.0.0.1 and mail stays in the local catcher; nothing the demo starts leaves this machine"
)
NOT_IN_THE_DEMO_WORLD = (
    "note: vet-new-customer is not served in the demo world, so the sample applicants (who do "
    "not exist) are checked for real and may be declined; to see every path as designed, "
    "run scripts/start --demo"
)


def demo(
    data: Path = typer.Option(None, help="folder with customers.csv (default: config/demo)"),
) -> None:
    """Load sample customers and start sample runs, so the UI has something to show."""
    store.upgrade()
    for line in run(data):
        typer.echo(line)


def run(folder: Path | None = None) -> Iterator[str]:
    """Load the demo customers and orders, then start each procedure's sample runs."""
    folder = folder or config_dir() / "demo"
    yield from load(folder)
    yield from start_sample_purchase_orders(folder)
    yield served_world()
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


def start_sample_purchase_orders(folder: Path, deployment: str = PURCHASE_ORDERS) -> Iterator[str]:
    """Start a run of handle-purchase-order for each `purchase_orders/*.json` (one per branch)."""
    from prefect.deployments import run_deployment

    for file in sorted((folder / "purchase_orders").glob("*.json")):
        message = json.loads(file.read_text(encoding="utf-8"))
        try:
            run = run_deployment(deployment, parameters={"message": message}, timeout=0)
        except Exception as exc:  # the deployment is not served, or no server: say so, go on
            yield f"purchase order {file.name}: not started ({exc.__class__.__name__}: {exc})"
            return
        yield f"purchase order {file.name}: started run {getattr(run, 'name', run)}"


def served_world(deployment: str = vetting_gates.DEPLOYMENT) -> str:
    """Whether the served vetting checks against the demo world's stand-ins (its deployment
    carries their tag), in one line."""
    from prefect import get_client

    from deployments.stand_ins.world import TAG

    try:
        with get_client(sync_client=True) as client:
            tags = client.read_deployment_by_name(deployment).tags
    except Exception:  # no server or not served: the inquiries' lines say so
        tags = []
    return IN_THE_DEMO_WORLD if TAG in tags else NOT_IN_THE_DEMO_WORLD


def start_sample_inquiries(folder: Path) -> Iterator[str]:
    """Submit each `inquiries/*.json` to vet-new-customer, so the approval gate shows in the UI."""
    for file in sorted((folder / "inquiries").glob("*.json")):
        try:
            run_id, link = vetting_gates.submit(
                json.loads(file.read_text(encoding="utf-8")), source="demo"
            )
        except Exception as exc:  # the deployment is not served, or no server: say so, go on
            yield f"inquiry {file.name}: not started ({exc.__class__.__name__}: {exc})"
            return
        yield f"inquiry {file.name}: vetting started, {link}"
        if "awaiting-first-po" in file.stem:
            yield approve_for_the_first_po(run_id)


def gate_state(client: Any, run_id: UUID, gate: str) -> str:
    """ "waiting" when the run waits at `gate` with its form saved (Prefect saves it just after
    Suspended), "ended" when it ended without, else "" (not there yet)."""
    state = client.read_flow_run(run_id).state
    if state is None or state.name != "Suspended":
        return "ended" if state is not None and state.is_final() else ""
    keyset = state.state_details.run_input_keyset or {}
    if state.state_details.pause_key != gate or "schema" not in keyset:
        return ""
    try:
        client.read_flow_run_input(run_id, keyset["schema"])
    except Exception:  # not saved yet
        return ""
    return "waiting"


def approve_for_the_first_po(run_id: str, wait_seconds: float = 120) -> str:
    """Approve one sample vetting as the first supervisor of people.yaml, so the first-PO gate
    shows too (it waits for the applicant's PO)."""
    from prefect import get_client
    from prefect.flow_runs import resume_flow_run

    deadline = time.monotonic() + wait_seconds
    with get_client(sync_client=True) as client:
        while (state := gate_state(client, UUID(run_id), "approval-1")) != "waiting":
            if state == "ended":
                return f"run {run_id} ended before the supervisor's gate (a sample vetted before)"
            if time.monotonic() > deadline:
                return f"run {run_id} did not reach the supervisor's gate in {wait_seconds:g} s"
            time.sleep(2)
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
    with store.session() as s:
        row = s.get(TicketRow, ticket_id)
        return (row.status, row.review_run_id) if row else ("", None)


def start_sample_ticket_reviews(folder: Path) -> Iterator[str]:
    """Store each `tickets/*.eml` as an inbox would and start its review when the classifier is
    unsure, so the ticket-review gate shows in the UI."""
    from csflows.triage.mail import intake  # the triage model: scikit-learn, seconds
    from csflows.triage.review import needing_review
    from csflows.triage.routing import triage_tickets
    from tasks.triage import start_review_task

    for file in sorted((folder / "tickets").glob("*.eml")):
        ticket_id = intake.store_message("demo", file.read_bytes())
        triage_tickets([ticket_id])
        if needing_review(limit=1000).count(ticket_id) == 0:
            # the served triage-inbox may have typed it first, and started its review
            status, review_run = _ticket_state(ticket_id)
            if status == TicketStatus.NEEDS_TRIAGE and review_run:
                yield f"ticket {file.name}: waits for a person to type it (run {review_run})"
            else:
                yield f"ticket {file.name}: typed without a person"
            continue
        try:
            run_id = start_review_task.fn(ticket_id)  # once per ticket, recorded on it
        except Exception as exc:  # the deployment is not served, or no server: say so, go on
            yield f"ticket {file.name}: review not started ({exc.__class__.__name__}: {exc})"
            return
        yield f"ticket {file.name}: waits for a person to type it (run {run_id})"
