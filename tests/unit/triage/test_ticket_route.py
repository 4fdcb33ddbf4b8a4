"""A ticket's route is stored as the same `routed_to` text as before it was typed; returned
forms found together are checked together."""

from __future__ import annotations

from uuid import UUID

import pytest

from csflows.triage.policy import Route
from csflows.triage.route import TicketRoute
from csflows.triage.routing import forms_checked_together
from csflows.vetting.forms.returned import FormReading, Method

RUN = UUID("0b6e6f7a-5a43-4c1e-9d59-2d0f3f1c2a10")


@pytest.mark.parametrize(
    ("routed", "text"),
    [
        (TicketRoute(ticket_id=1, route=Route.ACCOUNT_REQUEST, reply="sent"), "reply:sent"),
        (
            TicketRoute(ticket_id=2, route=Route.FORM_RETURNED, flow_run_id=RUN),
            f"vet-new-customer:{RUN}",
        ),
        (
            TicketRoute(
                ticket_id=2, route=Route.FORM_RETURNED, flow_run_id=RUN, flow="vet-inquiry-burst"
            ),
            f"vet-inquiry-burst:{RUN}",
        ),
        (
            TicketRoute(ticket_id=3, route=Route.PURCHASE_ORDER, flow_run_id=RUN),
            f"handle-purchase-order:{RUN}",
        ),
        (
            TicketRoute(ticket_id=4, route=Route.PURCHASE_ORDER, flow_run_id=RUN, inquiry_id=7),
            f"handle-purchase-order:{RUN} (first PO of inquiry 7)",
        ),
        (
            TicketRoute(ticket_id=5, route=Route.COMPLAINT, customer_id="C-1", feedback_id=9),
            "feedback:9",
        ),
        (
            TicketRoute(ticket_id=6, route=Route.COMPLAINT),
            "complaint: sender not in the retention cadence",
        ),
        (TicketRoute(ticket_id=7, route=Route.NONE), "none"),
        (
            TicketRoute(ticket_id=8, route=Route.FORM_RETURNED, error="FormError: no form "),
            "error: form_returned: FormError: no form ",
        ),
    ],
)
def test_stored_text_is_the_routed_to_of_before(routed: TicketRoute, text: str) -> None:
    assert routed.stored() == text
    assert routed.failed is text.startswith("error:")


def test_stored_text_fits_the_column() -> None:
    long = TicketRoute(ticket_id=1, route=Route.COMPLAINT, error="x" * 500)
    assert len(long.stored()) == 200


def _read(method: Method) -> FormReading:
    return FormReading(filename="form.pdf", method=method)


def test_returned_forms_found_together_are_checked_together_but_scans_go_to_a_person_first() -> (
    None
):
    readings = {1: _read("form fields"), 2: None, 3: _read("OCR"), 4: _read("form fields")}
    assert forms_checked_together(readings) == [1, 2, 4]


def test_a_returned_form_alone_starts_its_own_vetting_as_before() -> None:
    assert forms_checked_together({1: _read("form fields"), 2: _read("text layer")}) == []
    assert forms_checked_together({5: None}) == []
