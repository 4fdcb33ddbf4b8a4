"""Where triage sent one ticket (seed 004): the route its type calls for and what it started.

The ticket row keeps the route as text (`routed_to`, e.g. `handle-purchase-order:<run id>`);
`TicketRoute.stored` is the one place that writes that text, so stores read the same as before.
"""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict

from csflows.triage.policy import Route

# The flow (and deployment, `<flow>/<flow>`) a route starts.
FLOW_OF_ROUTE: dict[Route, str] = {
    Route.FORM_RETURNED: "vet-new-customer",
    Route.PURCHASE_ORDER: "handle-purchase-order",
}
ERROR_PREFIX = "error:"  # a route that failed: tried again on the next run


class TicketRoute(BaseModel):
    """One ticket's route and its target: the reply's delivery status (account request), the
    flow run started (returned form, purchase order; with the applicant's inquiry when the PO
    is its first), the negative feedback recorded for the customer (complaint), or the error."""

    ticket_id: int
    route: Route
    reply: str | None = None  # delivery status of the inquiry form's mail: sent | already_sent
    flow_run_id: UUID | None = None
    flow: str | None = None  # the flow started when not the route's own (forms checked together)
    inquiry_id: int | None = None
    customer_id: str | None = None
    feedback_id: int | None = None
    error: str | None = None  # `<exception class>: <message>`

    model_config = ConfigDict(extra="forbid")  # texts kept as given: they are stored verbatim

    @property
    def failed(self) -> bool:
        return self.error is not None

    def stored(self) -> str:
        """The ticket row's `routed_to` text (at most 200 characters)."""
        return self._text()[:200]

    def _text(self) -> str:
        if self.error is not None:
            return f"{ERROR_PREFIX} {self.route.value}: {self.error}"
        if self.route is Route.ACCOUNT_REQUEST:
            return f"reply:{self.reply}"
        if self.route in FLOW_OF_ROUTE:
            started = f"{self.flow or FLOW_OF_ROUTE[self.route]}:{self.flow_run_id}"
            first_po = f" (first PO of inquiry {self.inquiry_id})" if self.inquiry_id else ""
            return started + first_po
        if self.route is Route.COMPLAINT:
            if self.feedback_id is None:
                return "complaint: sender not in the retention cadence"
            return f"feedback:{self.feedback_id}"
        return "none"
