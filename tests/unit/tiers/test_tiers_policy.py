"""config/tiers.yaml: the shipped policy follows seed 003, and mistakes name file, key and value."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from csflows.errors import PolicyError
from csflows.paths import config_dir
from csflows.tiers import tier_policy


def _shipped() -> dict:
    return yaml.safe_load((config_dir() / "tiers.yaml").read_text())


def _write(tmp_path: Path, document: dict) -> Path:
    path = tmp_path / "tiers.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_shipped_policy_follows_seed_003() -> None:
    policy = tier_policy()
    assert policy.base.key == "standard" and policy.base.extras == []
    assert policy.tiers[-1].over == Decimal("100000")
    assert policy.window_months == 12 and policy.grace_months == 3
    assert policy.reminder_share == Decimal("0.10")
    assert policy.sales_agent_address("Dana Ruiz") == "dana.ruiz@advantus.example"
    assert policy.sales_agent_address("rep@example.com") == "rep@example.com"
    assert policy.sales_agent_address("Nobody Known") == "sales.manager@advantus.example"


def test_thresholds_must_increase(tmp_path: Path) -> None:
    document = _shipped()
    document["tiers"].insert(1, {"key": "gold", "name": "Gold", "over": 150000})
    with pytest.raises(PolicyError) as err:
        tier_policy(_write(tmp_path, document))
    text = str(err.value)
    assert str(tmp_path / "tiers.yaml") in text and "tiers:" in text
    assert "extra_special over 100000 is not above gold over 150000" in text


def test_base_tier_has_no_amount_and_others_need_one(tmp_path: Path) -> None:
    document = _shipped()
    document["tiers"][0]["over"] = 10
    with pytest.raises(PolicyError, match="first tier .standard. is base service"):
        tier_policy(_write(tmp_path, document))
    document = _shipped()
    del document["tiers"][1]["over"]
    with pytest.raises(PolicyError, match="tier extra_special needs `over`"):
        tier_policy(_write(tmp_path, document))


def test_bad_values_name_key_and_value(tmp_path: Path) -> None:
    document = _shipped() | {"reminder_share": 1.5, "grace_months": -1}
    document["level4_below"] = {"glitterati": 100}
    with pytest.raises(PolicyError) as err:
        tier_policy(_write(tmp_path, document))
    text = str(err.value)
    assert "reminder_share: Input should be less than 1 (got 1.5)" in text
    assert "grace_months: Input should be greater than or equal to 0 (got -1)" in text
    assert "unknown division key 'glitterati'" in text
    document = _shipped()
    document["tiers"][1]["over"] = "lots"
    with pytest.raises(PolicyError, match=r"tiers\[1:extra_special\]\.over: .* \(got 'lots'\)"):
        tier_policy(_write(tmp_path, document))


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="tiers.yaml: file not found"):
        tier_policy(tmp_path / "tiers.yaml")


def test_a_level4_line_that_names_a_minimum_is_the_divisions_figure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Craft & Hobby's $2,000 is written once, in divisions.yaml: the letters and the Level-4
    line read it there, and a change to it reaches both."""
    assert _shipped()["level4_below"] == {"craft_hobby": "annual_credit_card"}
    assert tier_policy().level4_below == {"craft_hobby": Decimal("2000")}
    config = tmp_path / "config"
    shutil.copytree(config_dir(), config, ignore=shutil.ignore_patterns("training"))
    monkeypatch.setenv("CSFLOWS_CONFIG_DIR", str(config))
    assert tier_policy().level4_below == {"craft_hobby": Decimal("2000")}
    divisions = config / "divisions.yaml"
    divisions.write_text(
        divisions.read_text().replace("annual_credit_card: 2000", "annual_credit_card: 2500.50")
    )
    assert tier_policy().level4_below == {"craft_hobby": Decimal("2500.50")}


def test_a_level4_line_naming_a_minimum_the_division_lacks_is_refused(tmp_path: Path) -> None:
    document = _shipped()
    document["level4_below"] = {"cop": "annual_terms"}
    with pytest.raises(
        PolicyError, match=r"level4_below: .*cop: divisions.yaml gives no minimums.annual_terms"
    ):
        tier_policy(_write(tmp_path, document))
