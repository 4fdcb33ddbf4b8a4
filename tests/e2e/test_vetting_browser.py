"""An operator answers a vetting in the Prefect UI (Debian's Chromium, driven by Playwright):
the suspended run, its scorecard artifact, the approval form, submitted."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from csflows.vetting.inquiries import InquiryRecord
from tests.e2e.conftest import VettingStack, prefect_on_postgres
from tests.e2e.test_vetting_e2e import inquiry_of, submit, wait_status
from tests.support.prefect_server import PrefectServer, wait_for_state

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
NOTES = Path("/work/notes")


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """The UI does not retry: a resume answered 503 (`database is locked`, seen on Prefect's
    SQLite store under load) is a failed click. Production runs the server on PostgreSQL."""
    with prefect_on_postgres(tmp_path_factory) as server:
        yield server


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


def shot(page: Page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_supervisor_approves_in_the_prefect_ui(
    stack: VettingStack, page: Page, tmp_path: Path
) -> None:
    email = "ui@paperlantern-browser.example"
    run: Any = submit(stack.form(email=email))
    wait_for_state(run.id, {"Suspended"})
    inquiry_id = inquiry_of(run.id)
    # The supervisor starts from the mail: its links open the run and everything waiting.
    [mail] = [m for m in stack.smtp.to("cs-supervisor@example.com") if "to review" in m.subject]
    links = [line.strip() for line in mail.text.splitlines() if line.strip().startswith("http")]
    run_page, waiting = links
    assert run_page == f"{stack.prefect.ui_url}/runs/flow-run/{run.id}"
    page.goto(waiting)
    expect(page.get_by_text(f"vet-paper-lantern-crafts-llc-{inquiry_id}").first).to_be_visible(
        timeout=60_000
    )
    filters = page.locator(".p-select-button__control")
    expect(filters.filter(has_text="Suspended").first).to_be_visible()  # the state filter
    expect(filters.filter(has_text="awaiting:supervisor").first).to_be_visible()  # the tag
    shutil.copy(shot(page, tmp_path, "waiting-for-supervisor"), NOTES / "ui-waiting.png")

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
    NOTES.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot(page, tmp_path, "scorecard"), NOTES / "ui-scorecard.png")

    page.goto(run_page)
    page.get_by_role("button", name="Resume").click()
    form = page.get_by_role("dialog")
    # The scorecard is in the dialog itself: the supervisor decides from this one screen.
    expect(form.get_by_text("Vetting scorecard: Paper Lantern Crafts LLC").first).to_be_visible(
        timeout=30_000
    )
    expect(form.get_by_text("Recommendation: APPROVE").first).to_be_visible()
    expect(form.get_by_text("Who decides; the audit trail keeps it").first).to_be_visible()
    shutil.copy(shot(page, tmp_path, "approval-form"), NOTES / "ui-approval.png")
    selects = form.locator(".p-select-button__control")
    # decision: pre-filled with the recommendation; reviewer: the configured supervisors;
    # sales agent: the division's agents, pre-filled by rotation
    expect(selects.nth(0)).to_contain_text("approve")
    expect(selects.nth(1)).to_contain_text("Pat Morgan")
    expect(selects.nth(2)).to_contain_text("Dana Ruiz")
    selects.nth(1).click()
    page.keyboard.press("ArrowDown")
    page.get_by_role("option", name="Robin Hale", exact=True).click()
    expect(selects.nth(1)).to_contain_text("Robin Hale")
    form.locator("textarea").first.fill("Commercial address and a real store; approved.")
    shutil.copy(shot(page, tmp_path, "approval-form-filled"), NOTES / "ui-approval-filled.png")
    form.get_by_role("button", name="Submit").click()

    wait_status(inquiry_id, "awaiting_first_po")
    wait_for_state(run.id, {"Suspended"})
    decided = next(
        d for d in InquiryRecord.load(inquiry_id).show()["decisions"] if d["decision"] == "approve"
    )
    assert decided["reviewer"] == "Robin Hale"
    assert decided["note"] == "Commercial address and a real store; approved."
    assert len([m for m in stack.smtp.to(email) if "is approved" in m.subject]) == 1
    page.goto(run_page)
    expect(page.get_by_text("Suspended").first).to_be_visible(timeout=30_000)
    shot(page, tmp_path, "after-approval")
