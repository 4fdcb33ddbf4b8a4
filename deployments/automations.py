"""The Prefect automations csflows keeps on its server, created or updated in place (by name) each
time `csflows serve` starts, so a second start adds nothing.

- *approval waiting too long*: a run tagged `awaiting:supervisor` stays Suspended past the
  reminder time -> a mail to the supervisor;
- *run without heartbeat*: a flow run's heartbeats stop -> `check-silent-run` marks it Crashed
  if it is still Running (never a Suspended or Paused run: they send no heartbeats);
- *run taken but not started*: a flow run stays Pending -> `check-silent-run` puts it back in
  the queue (Scheduled) once the worker that took it is offline or has restarted, for another
  worker to run, else looks again later (`pending_looks`);
- *serve process gone*: the `check-silent-run` deployment, served by every serve process and
  pool, goes not-ready -> a mail to the on-call address.

The mails go out from the Prefect server itself (a notification block holding an Apprise
`mailto://` URL built from csflows' SMTP settings), so the lost-serve mail does not depend on
the process that is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode
from uuid import UUID

from prefect.blocks.notifications import SlackWebhook
from prefect.events.actions import Action, RunDeployment, SendNotification
from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
from pydantic import SecretStr

from csflows.ops.policy import (
    heartbeat_silence,
    operations_policy,
    pending_silence,
    stuck_approval_after,
)
from csflows.vetting.policy import approval_policy

SUPERVISOR_TAG = "awaiting:supervisor"  # the approval gate's runs carry it while they wait
CHECK_DEPLOYMENT = "check-silent-run"  # and its flow's name
NOT_CHECKS = f"!{CHECK_DEPLOYMENT}"  # Prefect's negated label match
STUCK_APPROVAL = "csflows: approval waiting too long"
SILENT_RUN = "csflows: run without heartbeat"
LOST_SERVE = "csflows: serve process gone"
TAKEN_NOT_STARTED = "csflows: run taken but not started"
# A run's state changes (not its heartbeats: one may still arrive just after it suspended).
STATE_EVENTS = {
    f"prefect.flow-run.{name}"
    for name in [
        "Scheduled",
        "Late",
        "AwaitingRetry",
        "Resuming",
        "Pending",
        "Submitting",
        "Running",
        "Retrying",
        "Paused",
        "Completed",
        "Cached",
        "Failed",
        "Crashed",
        "TimedOut",
        "Cancelling",
        "Cancelled",
    ]
}


def mail_url(to: str, smtp: Any) -> str:
    """Apprise's `mailto://` URL for `to` through csflows' SMTP server (Prefect 3.8.8 has no
    SMTP notification block; its Apprise blocks take any Apprise URL). `smtp`: the csflows SMTP
    block."""
    credentials = ""
    if smtp.username:
        password = smtp.password.get_secret_value() if smtp.password else ""
        credentials = f"{quote(smtp.username, safe='')}:{quote(password, safe='')}@"
    mode = "ssl" if smtp.ssl else "starttls" if smtp.starttls else "insecure"
    values = {"smtp": smtp.host, "from": smtp.mail_from, "to": to, "mode": mode}
    query = urlencode(values, quote_via=quote)
    return f"mailto://{credentials}{smtp.host}:{smtp.port}?{query}"


def save_mail_block(name: str, to: str) -> UUID:
    """A notification block (saved, overwritten) that mails `to`; its id."""
    from blocks import SmtpServer, resolve

    block = SlackWebhook(url=SecretStr(mail_url(to, resolve(SmtpServer))))
    block_id: UUID = block.save(name, overwrite=True)  # type: ignore[assignment]  # sync here
    return block_id


def _proactive(after: set[str], expect: set[str], within: timedelta, **match: Any) -> EventTrigger:
    """Fires when, per flow run, nothing in `expect` follows an `after` event within `within`."""
    return EventTrigger(
        match={"prefect.resource.id": "prefect.flow-run.*"},
        after=after,
        expect=expect,
        for_each={"prefect.resource.id"},
        posture=Posture.Proactive,
        threshold=1,
        within=max(within, timedelta(seconds=10)),  # Prefect's least for a proactive trigger
        **match,
    )


@dataclass(frozen=True)
class Wanted:
    name: str
    description: str
    trigger: EventTrigger
    action: Action

    def core(self) -> AutomationCore:
        return AutomationCore(
            name=self.name,
            description=self.description,
            enabled=True,
            trigger=self.trigger,
            actions=[self.action],
        )


def stuck_approval(block_id: UUID, within: timedelta) -> Wanted:
    return Wanted(
        STUCK_APPROVAL,
        f"A run tagged {SUPERVISOR_TAG} has been Suspended for {within} (the reminder time of "
        "config/approval.yaml, counted as calendar days): mail the supervisor.",
        _proactive(
            {"prefect.flow-run.Suspended"},
            STATE_EVENTS,
            within,
            match_related={"prefect.resource.id": f"prefect.tag.{SUPERVISOR_TAG}"},
        ),
        SendNotification(
            block_document_id=block_id,
            subject="Still waiting for your decision: {{ flow_run.name }}",
            body=(
                "The run {{ flow_run.name }} has waited for the supervisor's decision since "
                "{{ flow_run.state.timestamp }}.\n\nDecide here: {{ flow_run|ui_url }}\n"
            ),
        ),
    )


def silent_run(deployment_id: UUID, within: timedelta) -> Wanted:
    return Wanted(
        SILENT_RUN,
        f"A flow run sent no heartbeat and changed no state for {within}: check-silent-run "
        "marks it Crashed if it is still Running (Suspended and Paused runs are left alone).",
        _proactive(
            {"prefect.flow-run.heartbeat"},
            {"prefect.flow-run.*"},
            within,
            # not check-silent-run's own runs: they end before their first heartbeat arrives,
            # and each would start the next check
            match_related={"prefect.resource.role": "flow", "prefect.resource.name": NOT_CHECKS},
        ),
        _check(deployment_id),
    )


def taken_not_started(deployment_id: UUID, within: timedelta) -> Wanted:
    return Wanted(
        TAKEN_NOT_STARTED,
        f"A flow run a worker took has stayed Pending for {within}: check-silent-run puts it "
        "back in the queue once that worker is offline or has restarted, so that another "
        "worker runs it, and looks again later while the worker may still start it.",
        # Submitting is a Pending state too: the run has not started until it is Running
        _proactive({"prefect.flow-run.Pending"}, STATE_EVENTS - PENDING_EVENTS, within),
        _check(deployment_id),
    )


PENDING_EVENTS = {"prefect.flow-run.Pending", "prefect.flow-run.Submitting"}


def _check(deployment_id: UUID) -> RunDeployment:
    """check-silent-run on the flow run of the event that fired."""
    return RunDeployment(
        source="selected",
        deployment_id=deployment_id,
        # the event's resource id, `prefect.flow-run.<id>`: a string (a UUID is not JSON)
        parameters={"flow_run_id": "{{ event.resource.id }}"},
    )


def lost_serve(block_id: UUID) -> Wanted:
    return Wanted(
        LOST_SERVE,
        f"The {CHECK_DEPLOYMENT} deployment, served by every csflows serve process and pool, "
        "went not-ready: nothing is running csflows' deployments. Mail the on-call address.",
        EventTrigger(
            match={
                "prefect.resource.id": "prefect.deployment.*",
                "prefect.resource.name": CHECK_DEPLOYMENT,
            },
            expect={"prefect.deployment.not-ready"},
            posture=Posture.Reactive,
            threshold=1,
        ),
        SendNotification(
            block_document_id=block_id,
            subject="csflows: no serve process is running its deployments",
            body=(
                "The deployment {{ deployment.name }} went not-ready at {{ event.occurred }}: "
                "the csflows serve process (or every worker of its pool) stopped polling the "
                "Prefect server. Scheduled runs, inbox triage and resumed approvals wait until "
                "it is back (scripts/start, or `csflows serve`).\n\n{{ deployment|ui_url }}\n"
            ),
        ),
    )


def wanted_automations(check_deployment_id: UUID) -> list[Wanted]:
    """The four automations for this configuration (saving their mail blocks)."""
    supervisor = save_mail_block("csflows-mail-supervisor", approval_policy().supervisor_email)
    on_call = save_mail_block("csflows-mail-on-call", operations_policy().on_call_email)
    return [
        stuck_approval(supervisor, stuck_approval_after()),
        silent_run(check_deployment_id, heartbeat_silence()),
        taken_not_started(check_deployment_id, pending_silence()),
        lost_serve(on_call),
    ]


def keep_automations(check_deployment_id: UUID) -> dict[str, UUID]:
    """Create each wanted automation, or update the one of that name in place (removing any
    duplicates of it); their ids by name."""
    from prefect import get_client

    ids: dict[str, UUID] = {}
    with get_client(sync_client=True) as client:
        for wanted in wanted_automations(check_deployment_id):
            existing = client.read_automations_by_name(wanted.name)
            if existing:
                keep, *duplicates = sorted(existing, key=lambda a: str(a.id))
                client.update_automation(keep.id, wanted.core())
                for duplicate in duplicates:
                    client.delete_automation(duplicate.id)
                ids[wanted.name] = keep.id
            else:
                ids[wanted.name] = client.create_automation(wanted.core())
    return ids


def main() -> None:
    """`python -m deployments.automations`: keep the automations for a server whose deployments
    are already registered (deployments/work-pool.sh, after deploying to the pool)."""
    from prefect import get_client

    with get_client(sync_client=True) as client:
        check = client.read_deployment_by_name(f"{CHECK_DEPLOYMENT}/{CHECK_DEPLOYMENT}")
    names = keep_automations(check.id)
    print(f"automations in place: {', '.join(sorted(names))}")


if __name__ == "__main__":
    main()
