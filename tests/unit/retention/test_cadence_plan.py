"""Cadence dates (seed 002): calendar-day offsets, weekends, holidays, business hours across DST."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli import app
from csflows.calendar import business_calendar
from csflows.errors import EXIT_CODES, InputError, PolicyError
from csflows.paths import config_dir
from csflows.retention import cadence, plan
from csflows.retention.feedback import recovery_visit_window
from csflows.retention.plan import (
    add_business_hours,
    business_hours_between,
    is_open,
    local_date,
    next_business_day,
    opening,
)
from csflows.retention.policy import Cadence

runner = CliRunner()


@pytest.fixture
def policy() -> Cadence:
    return cadence()


def _due(start: date, policy: Cadence) -> dict[str, date]:
    return {p.step: p.due for p in plan(start, policy)}


def test_seed_002_defaults_on_a_plain_monday(policy: Cadence) -> None:
    due = _due(date(2026, 3, 2), policy)  # a Monday, no holidays near
    assert due == {
        "welcome_sms": date(2026, 3, 2),
        "welcome_email": date(2026, 3, 2),
        "first_call": date(2026, 3, 9),  # a week later
        "first_visit": date(2026, 3, 16),  # two weeks later
        "checkin_sms": date(2026, 4, 1),  # second month
        "checkin_email": date(2026, 4, 1),
        "second_call": date(2026, 4, 8),
        "third_month_visit": date(2026, 5, 1),  # third month, day 60
    }
    kinds = {p.step: p.kind.value for p in plan(date(2026, 3, 2), policy)}
    assert kinds["welcome_sms"] == "sms" and kinds["first_visit"] == "visit"


def test_weekend_moves_to_monday(policy: Cadence) -> None:
    due = _due(date(2026, 3, 7), policy)  # a Saturday
    assert due["welcome_sms"] == date(2026, 3, 9)
    assert due["first_call"] == date(2026, 3, 16)  # day 7 is Saturday 14th -> Monday 16th
    assert due["checkin_sms"] == date(2026, 4, 6)  # day 30 is Monday 6 April: stays


def test_holiday_moves_to_next_business_day(policy: Cadence) -> None:
    # Thanksgiving Thursday 26 and Friday 27 Nov 2026 are holidays, then a weekend.
    assert _due(date(2026, 11, 19), policy)["first_call"] == date(2026, 11, 30)
    # 24 Dec 2027 and 31 Dec 2027 (Fridays) are holidays.
    assert next_business_day(date(2027, 12, 24), business_calendar()) == date(2027, 12, 27)


def test_holiday_list_is_configurable(policy: Cadence) -> None:
    calendar = business_calendar()
    closed = calendar.model_copy(
        update={"company_days": [*calendar.company_days, date(2026, 3, 9)]}
    )
    due = {p.step: p.due for p in plan(date(2026, 3, 2), policy, closed)}
    assert due["first_call"] == date(2026, 3, 10)


def test_opening_is_dst_correct() -> None:
    calendar = business_calendar()
    # Chicago leaves DST on Sunday 1 Nov 2026: 09:00 CDT = 14:00 UTC, 09:00 CST = 15:00 UTC.
    assert opening(date(2026, 10, 30), "America/Chicago", calendar) == datetime(
        2026, 10, 30, 14, tzinfo=UTC
    )
    assert opening(date(2026, 11, 2), "America/Chicago", calendar) == datetime(
        2026, 11, 2, 15, tzinfo=UTC
    )
    # Phoenix keeps no DST: the same UTC hour either side.
    assert opening(date(2026, 11, 2), "America/Phoenix", calendar).hour == 16
    assert opening(date(2026, 10, 30), "America/Phoenix", calendar).hour == 16


def test_enrollment_date_is_the_customers_local_date() -> None:
    late_evening = datetime(2026, 3, 9, 4, 30, tzinfo=UTC)  # Sunday 8 March 23:30 in Chicago
    assert local_date(late_evening, "America/Chicago") == date(2026, 3, 8)
    assert local_date(late_evening, "Europe/Berlin") == date(2026, 3, 9)
    with pytest.raises(ValueError, match="time zone is required"):
        local_date(datetime(2026, 3, 9), "America/Chicago")


def test_48_business_hours_across_a_weekend_and_the_spring_dst_change() -> None:
    calendar = business_calendar()
    # Friday 6 March 2026, 15:00 CST (21:00 UTC); DST starts Sunday 8 March.
    start = datetime(2026, 3, 6, 21, tzinfo=UTC)
    deadline = add_business_hours(start, 48, "America/Chicago", calendar)
    # 2 h on Friday, 8 h Mon-Fri (40), then 6 h on Monday 16 March: 15:00 CDT = 20:00 UTC.
    assert deadline == datetime(2026, 3, 16, 20, tzinfo=UTC)
    assert business_hours_between(start, deadline, "America/Chicago", calendar) == 48
    # Outside business hours the count starts at the next opening.
    saturday = datetime(2026, 3, 7, 18, tzinfo=UTC)
    assert add_business_hours(saturday, 1, "America/Chicago", calendar) == datetime(
        2026, 3, 9, 15, tzinfo=UTC
    )


def test_is_open_follows_local_hours_and_holidays() -> None:
    calendar = business_calendar()
    assert is_open(datetime(2026, 11, 2, 15, 30, tzinfo=UTC), "America/Chicago", calendar)
    assert not is_open(datetime(2026, 11, 2, 14, 30, tzinfo=UTC), "America/Chicago", calendar)
    assert not is_open(datetime(2026, 11, 26, 18, tzinfo=UTC), "America/Chicago", calendar)


def test_bad_policy_names_file_key_and_value(tmp_path: Path) -> None:
    from csflows.paths import config_dir

    document = yaml.safe_load((config_dir() / "cadence.yaml").read_text())
    document["steps"][2]["day"] = -3
    path = tmp_path / "cadence.yaml"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(PolicyError) as err:
        cadence(path)
    text = str(err.value)
    assert "steps[2:first_call].day: Input should be greater than or equal to 0 (got -3)" in text
    calendar = tmp_path / "calendar.yaml"
    calendar.write_text("timezone: America/Chicago\ncountry: US\ncompany_days: ['2026-02-30']\n")
    with pytest.raises(PolicyError) as err:
        business_calendar(calendar)
    assert "company_days[0]" in str(err.value) and "2026-02-30" in str(err.value)


def test_holidays_in_cadence_yaml_are_refused_with_where_they_went(tmp_path: Path) -> None:
    from csflows.paths import config_dir

    document = yaml.safe_load((config_dir() / "cadence.yaml").read_text())
    document["calendar"] = {"holidays": ["2026-12-25"]}
    path = tmp_path / "cadence.yaml"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(PolicyError, match=r"cadence.yaml: calendar: moved to calendar.yaml"):
        cadence(path)


def test_cli_plan_json_without_a_server() -> None:
    result = runner.invoke(
        app, ["cadence", "plan", "--start", "2026-03-07", "--tz", "America/Phoenix", "--json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows[0] == {"step": "welcome_sms", "kind": "sms", "due": "2026-03-09"}
    assert [r["kind"] for r in rows] == [
        "sms",
        "email",
        "call",
        "visit",
        "sms",
        "email",
        "call",
        "visit",
    ]


def test_cli_plan_refuses_bad_input() -> None:
    bad_date = runner.invoke(app, ["cadence", "plan", "--start", "2026-13-01", "--json"])
    assert (
        bad_date.exit_code == EXIT_CODES[InputError]
        and "--start: expected YYYY-MM-DD" in bad_date.output
    )
    bad_zone = runner.invoke(app, ["cadence", "plan", "--start", "2026-03-02", "--tz", "Nowhere"])
    assert (
        bad_zone.exit_code == EXIT_CODES[InputError]
        and "--tz: unknown time zone 'Nowhere'" in bad_zone.output
    )


CHICAGO = "America/Chicago"


@pytest.mark.parametrize(
    ("feedback_at", "visit_on", "visit_by"),
    [
        # Monday 09:00 CDT: Wednesday 09:00, not the next Tuesday (48 clock hours, seed 002)
        ("2026-03-16T09:00-05:00", "2026-03-17", "2026-03-18T09:00:00-05:00"),
        # Friday 10:00: the deadline is Sunday 10:00, so the visit is planned Saturday
        ("2026-03-13T10:00-05:00", "2026-03-14", "2026-03-15T10:00:00-05:00"),
        # across the change to daylight saving time: 48 elapsed hours, 11:00 CDT on the clock
        ("2026-03-07T10:00-06:00", "2026-03-09", "2026-03-09T11:00:00-05:00"),
    ],
)
def test_the_recovery_visit_is_due_48_clock_hours_after_the_feedback(
    feedback_at: str, visit_on: str, visit_by: str
) -> None:
    window = recovery_visit_window(
        datetime.fromisoformat(feedback_at), 48, CHICAGO, business_calendar()
    )
    assert window.visit_on.isoformat() == visit_on
    assert window.visit_by.isoformat() == visit_by


def test_a_visit_is_booked_by_its_deadline_and_outside_opening_hours_only_when_they_leave_none() -> (
    None
):
    """Saturday 07:00 feedback: due Monday 07:00, before Monday's opening, so the visit is not
    put on Monday 09:00 (past the deadline) but before it, and said to be outside hours."""
    saturday = recovery_visit_window(
        datetime.fromisoformat("2026-12-05T07:00-06:00"), 48, CHICAGO, business_calendar(), 60
    )
    assert saturday.visit_by.isoformat() == "2026-12-07T07:00:00-06:00"
    assert saturday.visit_at + timedelta(minutes=60) <= saturday.visit_by
    assert saturday.outside_hours and saturday.visit_on == saturday.visit_at.date()
    thursday = recovery_visit_window(
        datetime.fromisoformat("2026-12-03T16:00-06:00"), 48, CHICAGO, business_calendar(), 60
    )
    assert thursday.visit_at.isoformat() == "2026-12-04T09:00:00-06:00"
    assert not thursday.outside_hours
    late = recovery_visit_window(
        datetime.fromisoformat("2026-12-05T20:00-06:00"), 12, CHICAGO, business_calendar(), 60
    )
    assert late.visit_at.isoformat() == "2026-12-06T07:00:00-06:00"  # just before the deadline


def test_cadence_feedback_prints_the_deadline_and_the_restart_plan() -> None:
    result = CliRunner().invoke(
        app, ["cadence", "feedback", "--at", "2026-03-16T09:00-05:00", "--tz", CHICAGO, "--json"]
    )
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["visit_due"] == "2026-03-18T09:00:00-05:00"
    assert shown["visit_on"] == "2026-03-17"
    assert shown["restart_plan"][0] == {"step": "welcome_sms", "kind": "sms", "due": "2026-03-16"}


def test_cadence_feedback_refuses_an_instant_without_an_offset() -> None:
    result = CliRunner().invoke(app, ["cadence", "feedback", "--at", "2026-03-16T09:00"])
    assert result.exit_code == EXIT_CODES[InputError] and "has no UTC offset" in result.output


def test_the_old_business_hours_key_is_refused_with_where_it_went(tmp_path: Path) -> None:
    document = yaml.safe_load((config_dir() / "cadence.yaml").read_text())
    document["negative_feedback_visit_within_business_hours"] = 48
    path = tmp_path / "cadence.yaml"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(PolicyError, match="negative_feedback_visit_within_hours: seed 002"):
        cadence(path)
