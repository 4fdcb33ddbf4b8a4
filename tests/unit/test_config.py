"""The one config loader (reload on change, errors naming file, key and value, missing files) and
the one business calendar (public holidays, company days, a configurable weekend)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import ClassVar

import pytest
from pydantic import Field

from csflows import config
from csflows.calendar import BusinessCalendar, business_calendar
from csflows.errors import PolicyError
from csflows.models.common import Model


class Shelf(Model):
    moved_keys: ClassVar[dict[str, str]] = {"colour": "paint.yaml"}

    name: str = "plain"
    slots: int = Field(4, ge=1)


def _write(path: Path, text: str, bump: int = 0) -> Path:
    path.write_text(text)
    stat = path.stat()  # a later modification time, whatever the file system's resolution
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + bump * 1_000_000_000))
    return path


def test_load_keeps_the_model_until_the_file_changes(tmp_path: Path) -> None:
    path = _write(tmp_path / "shelf.yaml", "slots: 6\n")
    first = config.load("shelf", Shelf, path)
    assert first.slots == 6 and config.load("shelf", Shelf, path) is first
    _write(path, "slots: 8\n", bump=2)
    assert config.load("shelf", Shelf, path).slots == 8


def test_load_reads_config_dir_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / "shelf.yaml", "name: oak\n")
    monkeypatch.setenv("CSFLOWS_CONFIG_DIR", str(tmp_path))
    assert config.load("shelf", Shelf).name == "oak"


def test_errors_name_file_key_and_value(tmp_path: Path) -> None:
    path = _write(tmp_path / "shelf.yaml", "name: oak\nslots: 0\n")
    with pytest.raises(PolicyError) as err:
        config.load("shelf", Shelf, path)
    assert str(err.value) == (f"{path}: slots: Input should be greater than or equal to 1 (got 0)")
    _write(path, "slots: [\n", bump=2)
    with pytest.raises(PolicyError, match="not valid YAML"):
        config.load("shelf", Shelf, path)


def test_a_moved_key_says_where_it_went(tmp_path: Path) -> None:
    path = _write(tmp_path / "shelf.yaml", "colour: red\n")
    with pytest.raises(PolicyError, match=r"shelf.yaml: colour: moved to paint.yaml \(got 'red'\)"):
        config.load("shelf", Shelf, path)


class Cupboard(Model):
    removed_keys: ClassVar[dict[str, str]] = {"lock": "delete it; nothing locks"}

    shelves: list[Shelf] = Field(default_factory=list)
    top: Shelf | None = None


def test_a_key_moved_or_removed_in_a_nested_model_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path / "cupboard.yaml", "lock: yes\nshelves: [{}, {colour: red}]\n")
    with pytest.raises(PolicyError) as err:
        config.load("cupboard", Cupboard, path)
    assert str(err.value).splitlines() == [
        f"{path}: lock: removed: delete it; nothing locks (got True)",
        f"{path}: shelves[1].colour: moved to paint.yaml (got 'red')",
    ]
    _write(path, "top: {colour: blue}\n", bump=2)
    with pytest.raises(PolicyError, match=r"top\.colour: moved to paint\.yaml \(got 'blue'\)"):
        config.load("cupboard", Cupboard, path)


def test_a_missing_file_is_an_error_or_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "shelf.yaml"
    with pytest.raises(PolicyError, match="shelf.yaml: file not found"):
        config.load("shelf", Shelf, path)
    assert config.load("shelf", Shelf, path, optional=True) == Shelf()
    _write(path, "slots: 2\n")  # appearing counts as a change
    assert config.load("shelf", Shelf, path, optional=True).slots == 2


def test_rebuilt_on_change_follows_every_file(tmp_path: Path) -> None:
    a, b = _write(tmp_path / "a", "1"), _write(tmp_path / "b", "2")
    built: list[int] = []

    def build() -> int:
        built.append(1)
        return len(built)

    assert config.rebuilt_on_change("t", [a, b], build) == 1
    assert config.rebuilt_on_change("t", [a, b], build) == 1
    _write(b, "22", bump=2)
    assert config.rebuilt_on_change("t", [a, b], build) == 2


CALENDAR = "timezone: America/Chicago\ncountry: US\n"


def _calendar(tmp_path: Path, extra: str = "") -> BusinessCalendar:
    return business_calendar(_write(tmp_path / "calendar.yaml", CALENDAR + extra))


def test_public_holidays_and_company_days_are_not_business_days(tmp_path: Path) -> None:
    calendar = _calendar(tmp_path, "company_days: [2026-11-27]\n")
    assert not calendar.is_business_day(date(2026, 11, 26))  # Thanksgiving (the package's)
    assert not calendar.is_business_day(date(2026, 11, 27))  # the company's own day
    assert not calendar.is_business_day(date(2026, 7, 3))  # Independence Day, observed
    assert calendar.is_business_day(date(2026, 11, 25))
    assert calendar.next_business_day(date(2026, 11, 26)) == date(2026, 11, 30)


def test_public_holidays_the_business_works_are_business_days(tmp_path: Path) -> None:
    assert not _calendar(tmp_path).is_business_day(date(2026, 10, 12))  # Columbus Day
    worked = business_calendar(
        _write(tmp_path / "worked.yaml", CALENDAR + "open_on: [Columbus Day]\n")
    )
    assert worked.is_business_day(date(2026, 10, 12))
    with pytest.raises(
        PolicyError, match="open_on: Value error, no public holiday of US is called Boxing Day"
    ):
        business_calendar(_write(tmp_path / "bad.yaml", CALENDAR + "open_on: [Boxing Day]\n"))


def test_the_weekend_is_configurable(tmp_path: Path) -> None:
    calendar = _calendar(tmp_path, "weekend: [friday, saturday]\n")
    assert calendar.is_business_day(date(2026, 3, 8))  # a Sunday
    assert not calendar.is_business_day(date(2026, 3, 6))  # a Friday
    # Thursday 9:00 to Sunday 9:00 in Chicago: Friday and Saturday do not count.
    thursday, sunday = datetime(2026, 3, 5, 15, tzinfo=UTC), datetime(2026, 3, 8, 14, tzinfo=UTC)
    assert calendar.business_days_between(thursday, sunday) == pytest.approx(1.0)


def test_an_unknown_country_or_subdivision_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="country: Value error, no public holidays known for ZZ"):
        business_calendar(_write(tmp_path / "c.yaml", "timezone: UTC\ncountry: ZZ\n"))
    with pytest.raises(
        PolicyError, match="subdivision: Value error, no public holidays known for US"
    ):
        business_calendar(_write(tmp_path / "s.yaml", CALENDAR + "subdivision: XX\n"))


def test_the_old_holiday_list_says_where_it_went(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="holidays: moved to company_days"):
        _calendar(tmp_path, "holidays: [2026-12-24]\n")


def test_the_shipped_calendar_closes_the_days_cadence_yaml_listed() -> None:
    calendar = business_calendar()
    for day in ("2026-11-26", "2026-11-27", "2027-06-18", "2027-12-24", "2027-12-31"):
        assert not calendar.is_business_day(date.fromisoformat(day)), day
    assert calendar.is_business_day(date(2026, 11, 11))  # Veterans Day: open, as before
