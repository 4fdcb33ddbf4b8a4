"""The retention deployments: schedules from seed 002, and a run form operators can fill in."""

from __future__ import annotations

from deployments.serve import deployment_specs
from flows.retention import record_touchpoint_outcome


def test_schedules_hourly_on_business_days_and_monthly_on_the_first() -> None:
    specs = {spec["name"]: spec for spec in deployment_specs()}
    assert specs["retention-dispatch"]["schedules"][0]["cron"] == "5 * * * 1-5"
    assert specs["retention-dispatch"]["concurrency_limit"] == 1
    assert specs["retention-monthly-report"]["schedules"][0]["cron"] == "0 7 1 * *"
    assert "schedules" not in specs["record-touchpoint-outcome"]


def test_negative_feedback_is_acted_on_within_the_hour_on_every_day_of_the_week() -> None:
    """Seed 002's 48 hours hold on weekends: its own deployment, not the weekday dispatch."""
    specs = {spec["name"]: spec for spec in deployment_specs()}
    [schedule] = specs["retention-negative-feedback"]["schedules"]
    minutes, hours, day, month, weekday = schedule["cron"].split()
    assert (hours, day, month, weekday) == ("*", "*", "*", "*")
    assert minutes.startswith("*/") and int(minutes[2:]) <= 30


def test_outcome_run_form_offers_the_three_outcomes() -> None:
    schema = record_touchpoint_outcome.parameters
    assert schema.required == ["touchpoint_id", "outcome"]
    properties = schema.model_dump()["properties"]
    assert properties["touchpoint_id"]["type"] == "integer"
    assert properties["outcome"]["enum"] == ["positive", "neutral", "negative"]
    assert properties["notes"]["default"] == "" and properties["recorded_by"]["default"] == ""
