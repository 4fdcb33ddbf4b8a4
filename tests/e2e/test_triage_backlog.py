"""A mailbox backlog small enough for CI (issue 24): 200 mails waiting in a real IMAP inbox are
triaged by the triage-inbox deployment, run as its schedule would until the inbox is read. Each
mail is stored once, typed and routed, or waits for a person in one review-ticket run created
at its gate (Suspended, no process of its own), tagged and formed as the review queue expects;
the returned forms go to one burst. Triage run again starts no second review or routed run and
sends no mail twice."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import parseaddr
from itertools import cycle, islice
from typing import Any
from uuid import UUID

import pytest
from prefect import get_client
from prefect.input.run_input import keyset_from_paused_state
from sqlalchemy import select

from csflows import store
from csflows.store.tables import CustomerRow, TicketRow
from csflows.triage.policy import Route, ticket_types
from csflows.triage.route import ERROR_PREFIX, FLOW_OF_ROUTE
from tasks.triage import AWAITING_CS, REVIEW_GATE
from tasks.vetting_gates import BURST_DEPLOYMENT
from tests.e2e.conftest import module_store, prefect_on_postgres
from tests.support.backlog import (
    INBOX,
    RETURNED_FORM,
    deployment_runs,
    fill_inbox,
    inbox_env,
    message_id,
    register_deployments,
    training_rows,
)
from tests.support.imap import DovecotServer
from tests.support.prefect_server import (
    PrefectServer,
    ServeProcess,
    prefect_client_settings,
    wait_for_deployment,
    wait_for_state,
)
from tests.support.servers import SmtpServer
from tests.support.vetting_world import processes_started

# A run of 200 mails takes well under a minute on a quiet machine (bench/README.md); the waits
# allow many times that on a busy one.
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(900)]

MAILS = 200
TRIAGE = "triage-inbox"
MOST_RUNS = 5  # a run reads up to 500 mails and starts up to 200 reviews: one should do
# The senders' tiers (seed 003), in turn over their addresses; None: not a customer.
TIERS = ["extra_special", "standard", None]
TIER_TAGS = {
    "extra_special": {"tier:extra_special", "first-in-queue"},
    "standard": {"tier:standard"},
}


@dataclass
class Backlog:
    """The triaged backlog: its Prefect server, the store's settings, the mail server, the
    triage runs so far, each sender's tier."""

    prefect: PrefectServer
    store_env: dict[str, str]
    smtp: SmtpServer
    triage_runs: list[str]
    tiers: dict[str, str]


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """Hundreds of runs created at once: see tests/e2e/conftest.py."""
    with prefect_on_postgres(tmp_path_factory) as server:
        yield server


@pytest.fixture(scope="module")
def triaged(
    prefect_server: PrefectServer,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Iterator[Backlog]:
    """MAILS mails waiting in the inbox from senders of every tier; the triage-inbox deployment
    served by a process of its own, every other one registered and not served; triage run until
    the inbox is read. This process sees the same store."""
    home = tmp_path_factory.mktemp("backlog-home")
    smtp = SmtpServer().start()
    dovecot = DovecotServer().start({INBOX: "backlog-pw"})
    store_env = {"CSFLOWS_HOME": str(home), **module_store(request)}
    env = {
        **prefect_server.env(),
        **smtp.env(),
        **inbox_env(dovecot),
        **store_env,
        "CSFLOWS_SKIP_BLOCK_LOOKUP": "1",
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
    }
    command = [sys.executable, "-m", "tests.support.backlog", TRIAGE]
    serve = ServeProcess(env, home / "serve.log", command=command)
    with pytest.MonkeyPatch.context() as patch, prefect_client_settings(prefect_server):
        for key, value in store_env.items():
            patch.setenv(key, value)
        store.upgrade()
        tiers = _customers_of_every_tier()
        fill_inbox(dovecot, MAILS)
        register_deployments(served=(TRIAGE,))
        serve.start()
        try:
            wait_for_deployment(f"{TRIAGE}/{TRIAGE}")
            runs: list[str] = []
            while len(runs) < MOST_RUNS and not _inbox_read(runs):
                runs.append(run_triage())
            assert _inbox_read(runs), f"not read after {MOST_RUNS} triage runs"
            yield Backlog(prefect_server, store_env, smtp, runs, tiers)
        finally:
            serve.stop()
            dovecot.stop()
            smtp.stop()


@pytest.fixture
def backlog(triaged: Backlog, monkeypatch: pytest.MonkeyPatch) -> Iterator[Backlog]:
    """The triaged backlog, this test seeing its store and Prefect server."""
    for key, value in triaged.store_env.items():
        monkeypatch.setenv(key, value)
    with prefect_client_settings(triaged.prefect):
        yield triaged


def run_triage() -> str:
    """One triage-inbox run of the deployment, as its schedule (or a person's Run) creates it,
    run by the serve process to its end; its id."""
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(f"{TRIAGE}/{TRIAGE}")
        run = client.create_flow_run_from_deployment(deployment.id)
    wait_for_state(run.id, {"Completed"}, timeout=600)
    return str(run.id)


def _inbox_read(runs: list[str]) -> bool:
    """Every mail is a ticket and every ticket for a person has its review run."""
    from csflows.triage import review

    return bool(runs) and len(_tickets()) == MAILS and not review.needing_review(1)


def _backlog_senders() -> list[str]:
    return [parseaddr(row["from"])[1].lower() for row in islice(cycle(training_rows()), MAILS)]


def _customers_of_every_tier() -> dict[str, str]:
    """The backlog's senders as customers, of each tier in turn (some none): address -> tier."""
    addresses = sorted(set(_backlog_senders()))
    tiers = {a: t for a, t in zip(addresses, cycle(TIERS), strict=False) if t is not None}
    with store.session() as s:
        for n, (address, tier) in enumerate(tiers.items()):
            s.add(
                CustomerRow(
                    id=f"C-backlog-{n}", name=f"Customer {n}", email=address, division="cop",
                    level=2, tier=tier,
                )
            )  # fmt: skip
    return tiers


def _tickets() -> dict[str, TicketRow]:
    """The store's tickets by Message-ID."""
    with store.session() as s:
        return {row.message_id: row for row in s.scalars(select(TicketRow))}


def _routed_runs(tickets: dict[str, TicketRow]) -> dict[str, set[str]]:
    """By flow, the runs triage routed tickets to (`routed_to` is `flow:run id`; returned forms
    found together share one burst)."""
    flows = {*FLOW_OF_ROUTE.values(), BURST_DEPLOYMENT.partition("/")[0]}
    runs: dict[str, set[str]] = {}
    for ticket in tickets.values():
        flow_name, _, run_id = (ticket.routed_to or "").partition(":")
        if flow_name in flows:
            runs.setdefault(flow_name, set()).add(run_id.split()[0])
    return runs


def _gate(run_id: UUID, state: Any) -> tuple[dict[str, Any], str]:
    """The Resume form's schema and description a person sees at the run's gate."""
    keyset = keyset_from_paused_state(state)
    with get_client(sync_client=True) as client:
        schema = json.loads(client.read_flow_run_input(run_id, keyset["schema"]))
        description = json.loads(client.read_flow_run_input(run_id, keyset["description"]))
    return schema, description


def test_each_mail_is_one_ticket_typed_and_routed_or_waiting_at_its_own_review_gate(
    backlog: Backlog,
) -> None:
    rows = list(islice(cycle(training_rows()), MAILS))
    tickets = _tickets()
    assert sorted(tickets) == sorted(message_id(n, row) for n, row in enumerate(rows))
    policy = ticket_types()
    for_people = {t.id: t for t in tickets.values() if t.status == "needs_triage"}
    assert 0 < len(for_people) < MAILS / 2, Counter(t.status for t in tickets.values())
    for ticket in tickets.values():
        if ticket.id in for_people:
            continue
        assert ticket.type is not None and ticket.review_run_id is None, ticket.id
        route = policy.get(ticket.type).route
        if ticket.status == "open" and route is not Route.NONE:
            assert ticket.routed_to and not ticket.routed_to.startswith(ERROR_PREFIX), (
                ticket.id,
                ticket.routed_to,
            )
    routed = _routed_runs(tickets)
    assert routed, "the backlog has purchase orders and returned forms"  # none served here
    for flow_name, runs in routed.items():
        deployed = {str(r.id): r for r in deployment_runs(f"{flow_name}/{flow_name}")}
        assert runs == set(deployed), flow_name  # none but those the tickets name
        assert {r.state.name for r in deployed.values()} == {"Scheduled"}  # not served here
    # the returned forms found together are checked in one burst (issue 24), not a run each
    forms = [t.routed_to for t in tickets.values() if t.type == RETURNED_FORM]
    assert len(forms) > 1 and routed["vet-inquiry-burst"] == {f.partition(":")[2] for f in forms}
    assert len(routed["vet-inquiry-burst"]) == 1, forms

    reviews = deployment_runs()
    assert Counter(r.parameters["ticket_id"] for r in reviews) == dict.fromkeys(for_people, 1)
    offered = {t.name for t in policy.types}
    for run in reviews:
        ticket = for_people[run.parameters["ticket_id"]]
        assert ticket.review_run_id == str(run.id)
        assert run.name == f"review-ticket-{ticket.id}"
        assert run.state.name == "Suspended" and run.state.state_details.pause_key == REVIEW_GATE
        tier = backlog.tiers.get(parseaddr(ticket.sender)[1].lower())
        assert {"ticket-review", AWAITING_CS} <= set(run.tags)
        tier_tags = {t for t in run.tags if t.startswith("tier:") or t == "first-in-queue"}
        assert tier_tags == TIER_TAGS.get(tier or "", set()), (ticket.sender, run.tags)
        schema, description = _gate(run.id, run.state)
        assert set(schema["properties"]["type"]["enum"]) == offered
        assert f"{INBOX}, ticket {ticket.id}" in description
        assert ("**Service tier:**" in description) is (tier is not None)
    tiered = {backlog.tiers.get(parseaddr(t.sender)[1].lower()) for t in for_people.values()}
    assert tiered - {None}, "some tickets for review are customers' of a tier"
    print(f"{len(for_people)} of {MAILS} for review; { ({k: len(v) for k, v in routed.items()}) }")

    # Only the triage runs took a process: no gate ran one before a person answers it.
    review_ids = [str(r.id) for r in reviews]
    assert sorted(processes_started([*backlog.triage_runs, *review_ids])) == sorted(
        backlog.triage_runs
    )


def test_triage_run_again_starts_no_second_review_and_sends_no_mail_twice(
    backlog: Backlog,
) -> None:
    reviews = sorted(str(r.id) for r in deployment_runs())
    routed = _routed_runs(_tickets())
    sent = len(backlog.smtp.messages)
    assert sent > 0  # the backlog's assignees (and account requests) were mailed

    backlog.triage_runs.append(run_triage())

    assert sorted(str(r.id) for r in deployment_runs()) == reviews
    assert _routed_runs(_tickets()) == routed
    for flow_name, runs in routed.items():
        assert len(deployment_runs(f"{flow_name}/{flow_name}")) == len(runs), flow_name
    assert len(backlog.smtp.messages) == sent
    ids = Counter(str(m.message["Message-ID"]) for m in backlog.smtp.messages)
    assert ids.most_common(1)[0][1] == 1, ids.most_common(3)
    assert len(_tickets()) == MAILS
