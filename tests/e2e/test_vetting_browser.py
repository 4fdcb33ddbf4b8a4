"""An operator answers a vetting in the Prefect UI (Debian's Chromium, driven by Playwright):
the suspended run, its scorecard artifact, the approval form, submitted."""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import select
from typer.testing import CliRunner

from cli import app
from csflows import customers, store
from csflows.models import Customer
from csflows.paths import PROJECT_ROOT
from csflows.store.tables import OrderRow
from csflows.triage.review import reviewed_examples
from csflows.vetting.inquiries import InquiryRecord
from tests.e2e.conftest import VettingStack, prefect_on_postgres
from tests.e2e.test_purchase_orders_e2e import send_po
from tests.e2e.test_vetting_e2e import inquiry_of, wait_status
from tests.support.po_data import po_message
from tests.support.po_pdfs import BROKEN_PDF
from tests.support.prefect_server import (
    PrefectServer,
    wait_for_deployment,
    wait_for_gate,
    wait_for_state,
)
from tests.support.vetting_world import burst_to_the_gates

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# What the operator saw, kept for people to look at (README: Tests); gitignored.
SCREENSHOTS = Path(os.environ.get("CSFLOWS_TEST_SCREENSHOTS") or PROJECT_ROOT / "screenshots")


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """The UI does not retry: a resume answered 503 (`database is locked`, seen on Prefect's
    SQLite store under load) is a failed click. Production runs the server on PostgreSQL."""
    with prefect_on_postgres(tmp_path_factory) as server:
        yield server


@pytest.fixture(scope="module")
def worker_settings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The team's config with its certainty floor raised to 0.99 (a team may raise it), so a
    mail the model types surely still goes to the review queue: the browser sees a sure guess
    pre-selected beside an unsure one left blank."""
    config = tmp_path_factory.mktemp("team") / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    types = config / "ticket_types.yaml"
    text = types.read_text()
    assert "\nconfidence_threshold: 0.5\n" in text
    types.write_text(
        text.replace("\nconfidence_threshold: 0.5\n", "\nconfidence_threshold: 0.99\n")
    )
    return {"CSFLOWS_CONFIG_DIR": str(config)}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield context.new_page()
    context.close()


def off_the_browsers_loop(call: Any, *args: Any) -> Any:
    """Prefect's sync calls from another thread: Playwright's sync API keeps an event loop
    running on this one, where Prefect would hand back a coroutine instead of running it."""
    with ThreadPoolExecutor(1) as pool:  # the same Prefect settings (context variables) there
        return pool.submit(contextvars.copy_context().run, call, *args).result()


FINITE_ANIMATIONS_ENDED = """document.getAnimations().every(
    a => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity)"""


def shot(page: Page, name: str) -> Path:
    """A full-page screenshot as SCREENSHOTS/`name`.png (the folder made when missing), once
    the page's animations have ended (a dialog fading in was caught half-drawn)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    with contextlib.suppress(PlaywrightTimeout):  # a shot late is still a shot
        page.wait_for_function(FINITE_ANIMATIONS_ENDED, timeout=5_000)
    page.screenshot(path=str(path), full_page=True)
    return path


def enter_po(page: Page, shown: list[str], po: tuple[str, str], screenshot: str) -> None:
    """Open the run's Resume dialog, check it shows each of `shown`, type the PO number and
    amount `po`, keep a screenshot named `screenshot`, and submit."""
    page.get_by_role("button", name="Resume").click()
    form = page.get_by_role("dialog")
    expect(form.get_by_text(shown[0]).first).to_be_visible(timeout=30_000)
    for text in shown[1:]:
        expect(form.get_by_text(text).first).to_be_visible()
    form.locator("textarea").first.fill(po[0])
    form.locator("input").last.fill(po[1])
    shot(page, screenshot)
    form.get_by_role("button", name="Submit").click()


def test_supervisor_approves_in_the_prefect_ui(stack: VettingStack, page: Page) -> None:
    email = "ui@paperlantern-browser.example"
    # the gate created the new way: checked in a burst's run, the run made waiting at its gate
    _at, [gate_run], _burst = off_the_browsers_loop(burst_to_the_gates, [stack.form(email=email)])
    run_id = UUID(gate_run)
    wait_for_gate(run_id, "approval-1")
    inquiry_id = inquiry_of(run_id)
    # The supervisor starts from the mail: its links open the run and everything waiting.
    [mail] = [m for m in stack.smtp.to("cs-supervisor@example.com") if "to review" in m.subject]
    links = [line.strip() for line in mail.text.splitlines() if line.strip().startswith("http")]
    run_page, waiting = links
    assert run_page == f"{stack.prefect.ui_url}/runs/flow-run/{run_id}"
    page.goto(waiting)
    expect(page.get_by_text(f"vet-paper-lantern-crafts-llc-{inquiry_id}").first).to_be_visible(
        timeout=60_000
    )
    filters = page.locator(".p-select-button__control")
    expect(filters.filter(has_text="Suspended").first).to_be_visible()  # the state filter
    expect(filters.filter(has_text="awaiting:supervisor").first).to_be_visible()  # the tag
    shot(page, "ui-waiting")

    page.goto(run_page)
    expect(page.get_by_text(f"vet-paper-lantern-crafts-llc-{inquiry_id}").first).to_be_visible(
        timeout=60_000
    )
    expect(page.get_by_text("division:craft_hobby").first).to_be_visible()
    expect(page.get_by_text("Suspended").first).to_be_visible()

    page.get_by_text("Artifacts", exact=True).first.click()
    page.get_by_text(f"vetting-scorecard-{inquiry_id}").first.click()
    expect(page.get_by_text("Vetting scorecard: Paper Lantern Crafts LLC").first).to_be_visible(
        timeout=30_000
    )
    expect(page.get_by_text("minimums: PASS").first).to_be_visible()
    shot(page, "ui-scorecard")

    page.goto(run_page)
    page.get_by_role("button", name="Resume").click()
    form = page.get_by_role("dialog")
    # The dialog leads with what decides: the recommendation, then each criterion's verdict.
    expect(form.get_by_text("Recommendation: APPROVE").first).to_be_visible(timeout=30_000)
    expect(form.get_by_text("minimums PASS").first).to_be_visible()
    expect(form.get_by_text("Who decides; the audit trail keeps it").first).to_be_visible()
    shot(page, "ui-approval")
    selects = form.locator(".p-select-button__control")
    # decision: pre-filled with the recommendation; reviewer: empty until the one who decides
    # picks their name among the supervisors; sales agent: the division's, by rotation
    expect(selects.nth(0)).to_contain_text("approve")
    expect(selects.nth(1)).not_to_contain_text("Pat Morgan")
    expect(selects.nth(2)).to_contain_text("Dana Ruiz")
    form.get_by_role("button", name="Submit").click()  # nobody named: the answer is refused
    expect(form.get_by_text("'reviewer' is a required property").first).to_be_visible()
    shot(page, "ui-approval-no-reviewer")
    assert InquiryRecord.load(inquiry_id).status == "awaiting_approval"
    selects.nth(1).click()
    page.keyboard.press("ArrowDown")
    page.get_by_role("option", name="Robin Hale", exact=True).click()
    expect(selects.nth(1)).to_contain_text("Robin Hale")
    form.locator("textarea").first.fill("Commercial address and a real store; approved.")
    shot(page, "ui-approval-filled")
    form.get_by_role("button", name="Submit").click()

    wait_status(inquiry_id, "awaiting_first_po")
    wait_for_gate(run_id, "first-po")
    decided = next(
        d for d in InquiryRecord.load(inquiry_id).show()["decisions"] if d["decision"] == "approve"
    )
    assert decided["reviewer"] == "Robin Hale"
    assert decided["note"] == "Commercial address and a real store; approved."
    assert len([m for m in stack.smtp.to(email) if "is approved" in m.subject]) == 1
    page.goto(run_page)
    expect(page.get_by_text("Suspended").first).to_be_visible(timeout=30_000)
    shot(page, "ui-after-approval")

    # The first-PO gate, entered by hand (a PO that came another way): the dialog says who was
    # approved, by whom, and what PO to expect.
    enter_po(
        page,
        ["was approved by Robin Hale", "minimum order is $350.00"],
        ("PO-UI-1", "950"),
        "ui-first-po",
    )
    wait_for_state(run_id, {"Completed"})
    wait_status(inquiry_id, "customer_created")


def test_an_operator_reads_an_unreadable_po_in_the_ui(stack: VettingStack, page: Page) -> None:
    customers.save(
        [
            Customer(
                id="C-UI",
                name="Ribbon Row",
                email="orders@ribbonrow-ui.example",
                division="wyla",
                level=1,
            )
        ]
    )
    message = po_message("orders@ribbonrow-ui.example", "Attached.", "PO RR-UI", po=BROKEN_PDF)
    run: Any = off_the_browsers_loop(send_po, message)
    wait_for_gate(run.id, "read-po")
    page.goto(f"{stack.prefect.ui_url}/runs/flow-run/{run.id}")
    expect(page.get_by_text("awaiting:operator").first).to_be_visible(timeout=60_000)
    enter_po(
        page,
        ["could not be read", "Attachments: po.pdf"],
        ("RR-UI", "420"),
        "ui-po-read",
    )
    wait_for_state(run.id, {"Completed"})
    with store.session() as s:
        order = s.scalars(select(OrderRow).where(OrderRow.customer_id == "C-UI")).one()
    assert (order.po_number, order.amount) == ("RR-UI", 420)


def open_review(stack: VettingStack, page: Page, mail: Path) -> tuple[str, Any]:
    """Type `mail` with `csflows triage`, wait for its review gate and open its Resume dialog;
    the run's id and the dialog."""
    wait_for_deployment("review-ticket/ticket-review")
    shown = off_the_browsers_loop(CliRunner().invoke, app, ["triage", str(mail), "--json"])
    assert shown.exit_code == 0, shown.output
    run_id = json.loads(shown.stdout)["route"]["flow_run_id"]
    wait_for_gate(run_id, "review")
    page.goto(f"{stack.prefect.ui_url}/runs/flow-run/{run_id}")
    expect(page.get_by_text("ticket-review").first).to_be_visible(timeout=60_000)
    page.get_by_role("button", name="Resume").click()
    form = page.get_by_role("dialog")
    expect(form.get_by_text("best guesses").first).to_be_visible(timeout=30_000)
    return run_id, form


def choose(page: Page, form: Any, field: int, option: str) -> None:
    """Pick `option` in the dialog's `field`-th dropdown."""
    form.locator(".p-select-button__control").nth(field).click()
    page.keyboard.press("ArrowDown")
    page.get_by_role("option", name=option, exact=True).click()


def test_a_person_types_an_unclear_mail_in_the_review_queue(
    stack: VettingStack, page: Page, tmp_path: Path
) -> None:
    mail = tmp_path / "unclear.eml"
    mail.write_bytes(
        b"From: Kim <kim@browser-shop.example>\r\nTo: cs@advantus.com\r\nSubject: hi\r\n"
        b"Message-ID: <unclear-ui@browser-shop.example>\r\n\r\nsee you then\r\n"
    )
    run_id, form = open_review(stack, page, mail)
    expect(form.get_by_text("see you then").first).to_be_visible()
    type_field = form.locator(".p-select-button__control").nth(0)
    expect(type_field).not_to_contain_text("Question")  # a guess this unsure is not pre-selected
    shot(page, "ui-ticket-review")
    form.get_by_role("button", name="Submit").click()  # nobody chose: the form is refused
    expect(form.get_by_text("'type' is a required property")).to_be_visible()
    choose(page, form, 0, "Question")
    choose(page, form, 3, "Jordan Diaz")  # the reviewer: a person of people.yaml
    form.get_by_role("button", name="Submit").click()
    wait_for_state(run_id, {"Completed"})
    examples = [e for e in reviewed_examples() if e["body"].strip() == "see you then"]
    assert [e["type"] for e in examples] == ["Question"]


def test_a_sure_guess_in_the_review_queue_comes_pre_selected(
    stack: VettingStack, page: Page, tmp_path: Path
) -> None:
    mail = tmp_path / "quote.eml"
    mail.write_bytes(
        b"From: Lee Park <lee@browser-cafe.example>\r\nTo: cs@advantus.com\r\n"
        b"Subject: Pricing for tote bags\r\nMessage-ID: <sure-ui@browser-cafe.example>\r\n\r\n"
        b"Hi, what would 500 printed totes cost? Need pricing by Friday.\r\nLee\r\n"
    )
    run_id, form = open_review(stack, page, mail)
    type_field = form.locator(".p-select-button__control").nth(0)
    expect(type_field).to_contain_text("QUOTE - Request for Quote")  # sure enough: pre-selected
    shot(page, "ui-ticket-review-sure-guess")
    choose(page, form, 3, "Jordan Diaz")  # who decides is never pre-filled
    form.get_by_role("button", name="Submit").click()
    wait_for_state(run_id, {"Completed"})
    examples = [e for e in reviewed_examples() if "printed totes" in e["body"]]
    assert [e["type"] for e in examples] == ["QUOTE - Request for Quote"]
