"""A small deployment an operator answers, served on its own for server-level tests: a run that
waits for the operator (Suspended, a run input) or passes straight through.

`python -m tests.support.operator_flows` serves it (at most CSFLOWS_TEST_SERVE_LIMIT runs at once).
"""

from __future__ import annotations

import os

from prefect import flow, serve, suspend_flow_run
from prefect.input import RunInput

DEPLOYMENT = "operator-step/operator-step"
GATE = "operator"  # the pause key of the run's one gate (a form without a description)


class OperatorAnswer(RunInput):
    """What the operator types into the Resume dialog."""

    decision: str = "approve"


@flow(name="operator-step", persist_result=False)
def operator_step(wait: bool = False) -> str:
    """Wait for the operator's answer when `wait`, else finish at once."""
    if not wait:
        return "passed"
    answer = suspend_flow_run(wait_for_input=OperatorAnswer, timeout=3600, key=GATE)
    return answer.decision


if __name__ == "__main__":
    limit = int(os.environ.get("CSFLOWS_TEST_SERVE_LIMIT", "10"))
    serve(operator_step.to_deployment(name="operator-step"), limit=limit)
