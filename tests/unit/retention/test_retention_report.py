"""Seed 002's targets collide: 30 new accounts a month ask for ~60 visits a month, above 50."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

from icalendar import Calendar

from csflows.retention import cadence
from csflows.retention.invite import visit_invitation
from csflows.retention.report import (
    TeamMonth,
    capacity_plan,
    capacity_summary,
    first_overruns,
    months_from,
    previous_month,
    projected_visits,
    text_table,
)


def test_steady_state_needs_about_a_hundred_and_twenty_meetings_a_month() -> None:
    """30 new accounts a month, each with two calls and two visits in the cadence."""
    projected = projected_visits(date(2026, 1, 1), 8, 30, cadence())
    # The first month has only the day-7 calls and day-14 visits of its own accounts.
    assert projected["2026-01"] <= 60
    steady = [projected[m] for m in ("2026-04", "2026-05", "2026-06", "2026-07", "2026-08")]
    assert all(110 <= v <= 130 for v in steady), steady


def test_capacity_plan_names_the_first_month_that_overruns_the_agents_capacity() -> None:
    policy = cadence()
    scheduled = Counter({("Dana Ruiz", "2026-12"): 40, ("Sam Patel", "2027-01"): 5})
    rows = capacity_plan(["Dana Ruiz", "Sam Patel"], date(2026, 12, 1), 6, scheduled, policy)
    assert {r.capacity for r in rows} == {policy.targets.meetings_capacity_per_agent}
    overruns = first_overruns(rows)
    # Dana's existing 40 meetings plus December's new accounts overrun at once.
    assert overruns["Dana Ruiz"].month == "2026-12"
    assert overruns["Dana Ruiz"].planned == 40 + overruns["Dana Ruiz"].projected
    summary = capacity_summary(rows, policy)
    assert "Dana Ruiz: 2026-12 will overrun" in summary
    assert "4 calls and visits each need about 120 meetings a month" in summary


def test_the_forecast_gives_each_agent_their_share_of_the_teams_new_accounts() -> None:
    """Seed 002's 30 new accounts are the team's: two agents split the projected calls and
    visits (adding up to the team's), rather than each carrying all of them."""
    policy = cadence()
    team = projected_visits(date(2026, 12, 1), 6, policy.targets.new_accounts_per_month, policy)
    agents = ["Dana Ruiz", "Sam Patel"]
    rows = capacity_plan(agents, date(2026, 12, 1), 6, Counter(), policy)
    for month, total in team.items():
        shares = [r.projected for r in rows if r.month == month]
        assert sum(shares) == total and max(shares) - min(shares) <= 1
    assert max(r.projected for r in rows) < max(team.values())
    assert "about 60 for each of 2 agents" in capacity_summary(rows, policy)


def test_a_former_agent_in_the_months_figures_takes_no_new_accounts() -> None:
    rows = capacity_plan(["Dana Ruiz", "Left Us"], date(2026, 12, 1), 3, Counter(), cadence())
    assert {r.projected for r in rows if r.agent == "Left Us"} == {0}


def test_the_fifty_meetings_are_a_minimum_the_report_leads_with_and_the_shortfall() -> None:
    """Seed 002: 'Monthly meetings required: 50' is a floor, not a ceiling."""
    short = TeamMonth(
        new_accounts=12, new_accounts_required=30, meetings_held=31, meetings_required=50
    )
    assert short.meetings_short == 19 and short.new_accounts_short == 18
    assert short.headline() == (
        "Meetings held: 31 of the 50 required (19 short).\n"
        "New accounts won: 12 of the 30 required (18 short)."
    )
    over = TeamMonth(
        new_accounts=31, new_accounts_required=30, meetings_held=64, meetings_required=50
    )
    assert over.meetings_short == 0
    assert "Meetings held: 64 of the 50 required (target met)." in over.headline()


def test_capacity_without_overrun_says_so() -> None:
    policy = cadence().model_copy(deep=True)
    policy.targets.meetings_capacity_per_agent = 200
    rows = capacity_plan(["Dana Ruiz"], date(2026, 12, 1), 6, Counter(), policy)
    assert first_overruns(rows) == {}
    assert capacity_summary(rows, policy).startswith("No agent's planned meetings exceed")


def test_month_helpers() -> None:
    assert previous_month(date(2027, 1, 1)) == date(2026, 12, 1)
    assert months_from(date(2026, 11, 15), 3) == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
    ]
    table = text_table([{"agent": "Dana Ruiz", "meetings": 3}, {"agent": "Lee", "meetings": 12}])
    assert table.splitlines()[0] == "agent      meetings"
    assert table.splitlines()[3] == "Lee        12      "


def test_visit_invitation_is_valid_icalendar() -> None:
    ics = visit_invitation(
        uid="touchpoint-7@csflows",
        start=datetime(2026, 3, 16, 14, tzinfo=UTC),
        minutes=60,
        summary="Client visit: Paper, Glue; Co",
        location="410 N Michigan Ave, Chicago, IL 60611",
        description="line one\nline two " + "x" * 100,
        attendee="dana.ruiz@advantus.example",
        now=datetime(2026, 3, 2, 16, tzinfo=UTC),
    ).decode()
    lines = ics.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "DTSTART:20260316T140000Z" in lines and "DTEND:20260316T150000Z" in lines
    assert "SUMMARY:Client visit: Paper\\, Glue\\; Co" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = ics.replace("\r\n ", "")
    assert "DESCRIPTION:line one\\nline two " + "x" * 100 in unfolded


def test_visit_invitation_text_round_trips_through_icalendar() -> None:
    summary = "Client visit: Paper, Glue; Co\nsecond line \\ " + "long " * 30
    ics = visit_invitation(
        uid="touchpoint-8@csflows",
        start=datetime(2026, 3, 16, 14, tzinfo=UTC),
        minutes=45,
        summary=summary,
        location="410 N Michigan Ave, Chicago; IL 60611",
        description="first\r\nsecond, third; fourth",
        attendee="dana.ruiz@advantus.example",
        now=datetime(2026, 3, 2, 16, tzinfo=UTC),
    )
    assert all(len(line) <= 75 for line in ics.split(b"\r\n"))
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    assert str(event["SUMMARY"]) == summary
    assert str(event["LOCATION"]) == "410 N Michigan Ave, Chicago; IL 60611"
    assert str(event["DESCRIPTION"]) == "first\nsecond, third; fourth"  # a CRLF is one break
    assert event.decoded("DTEND") == datetime(2026, 3, 16, 14, 45, tzinfo=UTC)
    assert str(event["ATTENDEE"]) == "mailto:dana.ruiz@advantus.example"
