"""A mailbox backlog: `--count` mails already waiting in a real IMAP inbox (Dovecot) are stored,
typed, routed, and every ticket a person must type has its review-ticket run waiting at its
gate, by the project's own triage-inbox flow (flows/triage.py), run back to back until nothing
is left (as the 5-minute schedule would, without the wait).

    python bench/triage_backlog.py [--count 2000]

A real Prefect server on PostgreSQL (the review gates are created through its API, already
Suspended, by tasks.triage.start_review_task), every other deployment of prefect.yaml
registered (not served: routed runs wait Scheduled, so only the triage runs take a process), an
SMTP server for replies and assignees' mail. The mail is the labelled training mail
(config/training/*.jsonl: subject, body, from, to, cc, attachment names; a returned form's PDF
is csflows' own form) cycled with unique Message-IDs (tests/support/backlog.py, shared with
tests/e2e/test_triage_backlog.py). Prints mails, tickets typed, reviews waiting (Suspended
review-ticket runs, read through the API), triage runs and the runs a process ran, the seconds
from the first triage run's start to the last one's end against the 60 s goal, mails per
second, and each triage run's seconds.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("CSFLOWS_SKIP_BLOCK_LOOKUP", "1")

from prefect.logging.handlers import APILogWorker  # noqa: E402

from bench._stack import bench_stack  # noqa: E402
from tests.support.backlog import (  # noqa: E402
    INBOX,
    TRAINING,
    deployment_runs,
    fill_inbox,
    inbox_env,
    register_deployments,
)
from tests.support.imap import DovecotServer  # noqa: E402
from tests.support.prefect_server import PrefectServer, prefect_client_settings  # noqa: E402
from tests.support.servers import SmtpServer  # noqa: E402
from tests.support.vetting_world import processes_started  # noqa: E402

GOAL_SECONDS = 60  # issue 24: 2,000 mails typed, routed, reviews waiting at their gate


def tickets() -> dict[str, int]:
    """The store's tickets: all, typed (by the model, sure enough), waiting for a person (their
    best guess is not a type yet), routed."""
    from sqlalchemy import func, select

    from csflows import store
    from csflows.store.tables import TicketRow

    with store.session() as s:
        by_status = dict(
            s.execute(select(TicketRow.status, func.count()).group_by(TicketRow.status)).all()
        )
        typed = s.scalar(
            select(func.count()).where(
                TicketRow.type.is_not(None), TicketRow.status != "needs_triage"
            )
        )
        routed = s.scalar(select(func.count()).where(TicketRow.routed_to.is_not(None)))
        failed = s.scalar(select(func.count()).where(TicketRow.routed_to.startswith("error:")))
    return {
        "all": sum(by_status.values()),
        "typed": typed or 0,
        "needs_triage": by_status.get("needs_triage", 0),
        "routed": routed or 0,
        "route failed": failed or 0,
        **{f"status {k}": v for k, v in by_status.items()},
    }


def triage_until_done(count: int, most_runs: int) -> tuple[list[str], list[float]]:
    """Run triage-inbox until every mail is stored and no ticket waits for its review run;
    each run's id and seconds."""
    from csflows.triage import review
    from flows.triage import triage_inbox

    run_ids: list[str] = []
    seconds: list[float] = []
    stored = 0
    while len(run_ids) < most_runs:
        start = time.monotonic()
        state = triage_inbox(return_state=True)
        seconds.append(time.monotonic() - start)
        run_ids.append(str(state.state_details.flow_run_id))
        summary = state.result()
        stored += summary.stored
        print(
            f"  triage run {len(run_ids)}: {seconds[-1]:.1f} s, stored {summary.stored}, "
            f"triaged {summary.triaged}, routed {summary.routed}, "
            f"reviews started {summary.reviews_started}",
            flush=True,
        )
        if stored >= count and not review.needing_review(1):
            break
    return run_ids, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=2000, help="mails waiting in the inbox")
    parser.add_argument(
        "--mail",
        type=Path,
        default=TRAINING,
        help="folder of labelled *.jsonl mail (bench/holdout: writers the model never saw)",
    )
    parser.add_argument("--most-runs", type=int, default=30, help="triage runs at most")
    args = parser.parse_args()

    with bench_stack("csflows-backlog-") as (_root, prefect):
        _backlog(args, prefect)


def _backlog(args: argparse.Namespace, prefect: PrefectServer) -> None:
    smtp = SmtpServer().start()
    dovecot = DovecotServer().start({INBOX: "backlog-pw"})
    os.environ.update(smtp.env())
    os.environ.update(inbox_env(dovecot))
    try:
        from csflows import store

        store.upgrade()
        fill_inbox(dovecot, args.count, args.mail)
        print(f"{args.count} mails waiting in the inbox", flush=True)
        with prefect_client_settings(prefect):
            register_deployments(served=("triage-inbox",))  # it runs here, in this process
            start = time.monotonic()
            run_ids, seconds = triage_until_done(args.count, args.most_runs)
            elapsed = time.monotonic() - start
            reviews = {str(r.id): r.state.name if r.state else "" for r in deployment_runs()}
            ran = processes_started([*run_ids, *reviews])
            APILogWorker.drain_all(timeout=5)  # the runs' logs reach the server before it stops
        counted = tickets()
        waiting = sum(state == "Suspended" for state in reviews.values())
        verdict = "met" if elapsed <= GOAL_SECONDS else "missed"
        print(f"mails: {args.count}; tickets stored: {counted['all']}")
        print(
            f"tickets typed: {counted['typed']}; routed: {counted['routed']} "
            f"(failed, tried next run: {counted['route failed']})"
        )
        print(f"tickets for review: {counted['needs_triage']}; reviews waiting: {waiting}")
        print(f"ticket statuses: { {k[7:]: v for k, v in counted.items() if k[:7] == 'status '} }")
        print(f"triage runs: {len(run_ids)} ({', '.join(f'{s:.1f}' for s in seconds)} s)")
        print(
            f"processes started: {len(ran)} (triage-inbox runs {len(set(ran) & set(run_ids))}, "
            f"review runs {len(set(ran) - set(run_ids))})"
        )
        print(
            f"time to all typed, routed and at the review gate: {elapsed:.1f} s "
            f"(goal {GOAL_SECONDS} s: {verdict})"
        )
        print(f"mails/second: {args.count / elapsed:.1f}")
    finally:
        dovecot.stop()
        smtp.stop()


if __name__ == "__main__":
    main()
