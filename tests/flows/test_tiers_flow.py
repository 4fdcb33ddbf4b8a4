"""`recompute-tiers`: history, customers.tier, grace-period downgrades, reminders (once, on
entering the band, never to a one-time buyer, only of configured rewards), sales-agent notices,
and the artifacts, against a real store and a real SMTP server."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from sqlalchemy import select

from csflows import customers, orders, store
from csflows.paths import config_dir
from csflows.store.tables import CustomerRow, MessageRow, TierHistoryRow
from csflows.tiers.notices import MailCounts
from flows.tiers import recompute_tiers
from tests.support.servers import SmtpServer

ORDERS = """customer_id,order_date,amount,po_number
C-1001,2025-12-15,100000.01,PO-1
C-1002,2025-11-15,45000.00,PO-2A
C-1002,2025-12-15,50000.00,PO-2
C-1003,2025-12-15,150.00,PO-3
C-1003,2024-06-15,900.00,PO-OLD
C-1006,2025-12-15,100000.00,PO-6
"""
REWARD = "Free freight on every order"


@pytest.fixture
def rewards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A copy of config/ whose top tier names a reward (the shipped one names none)."""
    config = tmp_path / "config"
    shutil.copytree(config_dir(), config)
    tiers = config / "tiers.yaml"
    tiers.write_text(tiers.read_text().replace("rewards: []", f"rewards: [{REWARD}]"))
    monkeypatch.setenv("CSFLOWS_CONFIG_DIR", str(config))


def _latest_artifact(key: str) -> str:
    """The newest artifact's data under `key`, read over the API (this server refuses the
    client's null filter fields, so the body is given in full)."""
    body = {"limit": 50, "offset": 0, "sort": "CREATED_DESC"}
    with get_client(sync_client=True) as client:
        found = client.request("POST", "/artifacts/filter", json=body).json()
    data = [a["data"] for a in found if a["key"] == key]
    assert data, f"no artifact {key!r}"
    return str(data[0])


def _tiers() -> dict[str, str | None]:
    with store.session() as s:
        return dict(s.execute(select(CustomerRow.id, CustomerRow.tier)).tuples().all())


def _load(tmp_path: Path) -> None:
    customers.import_csv(config_dir() / "demo" / "customers.csv")
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS)
    orders.import_csv(path)


def _reminded(smtp_server: SmtpServer) -> list[str]:
    return [m.message["To"] for m in smtp_server.messages if "from our rewards" in m.subject]


def test_monthly_run_tiers_reminds_notifies_and_suggests(
    tmp_path: Path, store_ready: Path, smtp_server: SmtpServer, rewards: None
) -> None:
    _load(tmp_path)
    summary = recompute_tiers(as_of=date(2025, 12, 31), batch_size=2)

    assert summary.customers == 6 and summary.changes == 1
    tiers = _tiers()
    assert tiers["C-1001"] == "extra_special"
    assert tiers["C-1006"] == "standard"  # exactly $100,000 is not "over the 100K"
    # reminders: within 10% of $100,000 and not in the tier yet: C-1002 at 95,000 in two orders;
    # C-1006 at 100,000 bought once (a one-time buyer, seed 003), so it is not reminded
    assert _reminded(smtp_server) == ["hello@tinybrush.example"]
    tiny = smtp_server.to("hello@tinybrush.example")[0]
    assert tiny.subject == "You are $5,001 away from our rewards"
    assert f"more than $100,000 receive:\n- {REWARD}" in tiny.text
    assert "Extra special service" not in tiny.text and "came to $95,000." in tiny.text
    # the sales agent of the one change hears of it
    notice = smtp_server.to("dana.ruiz@advantus.example")
    assert len(notice) == 1 and "C-1001" in notice[0].subject and "upgrade" in notice[0].subject
    # seed 000: C-1003 is already Level 4; C-1001 bought a lot: no Craft & Hobby suggestion
    assert summary.level4_suggestions == 0

    # a re-run of the same month sends nothing twice and writes the same history
    sent = len(smtp_server.messages)
    again = recompute_tiers(as_of=date(2025, 12, 31), batch_size=5)
    assert len(smtp_server.messages) == sent
    assert again.changes == 1 and again.reminders.already_sent == 1
    with store.session() as s:
        rows = s.scalars(select(TierHistoryRow).where(TierHistoryRow.customer_id == "C-1001")).all()
        assert [(r.computed_tier, r.tier, r.changed) for r in rows] == [
            ("extra_special", "extra_special", True)
        ]
        keys = set(s.scalars(select(MessageRow.idempotency_key)))
    assert "tier-reminder:C-1002:2025-12" in keys and "tier-change:C-1001:2025-12" in keys

    # January: C-1002 is still close (and buys a little more): no second reminder
    more = tmp_path / "more.csv"
    more.write_text("customer_id,order_date,amount,po_number\nC-1002,2026-01-10,1000,PO-2B\n")
    orders.import_csv(more)
    assert recompute_tiers(as_of=date(2026, 1, 31)).reminders.sent == 0
    assert _reminded(smtp_server) == ["hello@tinybrush.example"]


def test_no_reward_configured_no_reminder(
    tmp_path: Path, store_ready: Path, smtp_server: SmtpServer
) -> None:
    _load(tmp_path)  # the shipped tiers.yaml names no reward
    summary = recompute_tiers(as_of=date(2025, 12, 31))
    assert summary.changes == 1 and summary.reminders == MailCounts()
    assert _reminded(smtp_server) == []


@pytest.mark.slow  # 14 monthly runs (the rule itself: tests/unit/tiers): scripts/test runs it
def test_downgrade_waits_for_the_grace_period(
    tmp_path: Path, store_ready: Path, smtp_server: SmtpServer
) -> None:
    _load(tmp_path)
    months = [date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]
    months += [date(2026, 4, 30), date(2026, 5, 31), date(2026, 6, 30)]
    applied = []
    for as_of in months:
        recompute_tiers(as_of=as_of)
        applied.append(_tiers()["C-1001"])
    # the Dec 2025 order leaves the window after Nov 2026 only, so C-1001 stays up all along
    assert applied == ["extra_special"] * len(months)

    # C-1001 refunds most of it in Jan 2026: below from January, kept through 3 evaluations below
    refund = tmp_path / "refund.csv"
    refund.write_text("customer_id,order_date,amount,po_number\nC-1001,2026-01-10,-50000,RF-1\n")
    orders.import_csv(refund)
    applied = []
    for as_of in months:
        recompute_tiers(as_of=as_of)
        applied.append(_tiers()["C-1001"])
    assert applied == ["extra_special"] * 4 + ["standard"] * 3
    down = [m for m in smtp_server.to("dana.ruiz@advantus.example") if "downgrade" in m.subject]
    assert len(down) == 1 and "grace period" in down[0].text


def test_artifacts_list_changes_and_level4_suggestions(
    tmp_path: Path, store_ready: Path, smtp_server: SmtpServer
) -> None:
    customers.import_csv(config_dir() / "demo" / "customers.csv")
    path = tmp_path / "orders.csv"  # C-1001 (Craft & Hobby, Level 2) bought $1,500 in a full year
    path.write_text(
        "customer_id,order_date,amount,po_number\n"
        "C-1001,2024-11-02,700.00,PO-A\nC-1001,2025-03-02,1500.00,PO-B\n"
        "C-1002,2025-03-02,120000,PO-C\n"
    )
    orders.import_csv(path)
    summary = recompute_tiers(as_of=date(2025, 12, 31))
    assert summary.level4_suggestions == 1
    with store.session() as s:
        assert s.get(CustomerRow, "C-1001").level == 2  # nothing changes a level by itself
    by_key = {key: _latest_artifact(key) for key in ("tier-changes", "level4-suggestions")}
    assert "C-1002" in by_key["tier-changes"]
    assert "C-1001" in by_key["level4-suggestions"]
    assert "2,000.00" in by_key["level4-suggestions"]


def test_no_customers_yet_is_a_quiet_run(store_ready: Path, smtp_server: SmtpServer) -> None:
    summary = recompute_tiers(as_of=date(2025, 12, 31))
    assert summary.customers == 0 and summary.changes == 0
    assert smtp_server.messages == []
