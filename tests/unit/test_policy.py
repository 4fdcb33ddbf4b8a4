"""config/divisions.yaml: the seeds' divisions load, and mistakes name file, key and value."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from csflows.divisions import divisions
from csflows.errors import PolicyError
from csflows.models import Level4Policy
from csflows.paths import config_dir

SEED_DIVISIONS = [
    "Craft & Hobby",
    "COP",
    "Floating Luxuries",
    "Mercury & Seward",
    "ADV II & ISD",
    "Sulyn",
    "Wyla",
    "Art101",
]


def _write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "divisions.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def _shipped() -> dict:
    return yaml.safe_load((config_dir() / "divisions.yaml").read_text())


def test_every_division_the_seeds_name_is_configured() -> None:
    catalog = divisions()
    assert [d.name for d in catalog.divisions] == SEED_DIVISIONS


def test_level4_policies_follow_seed_000() -> None:
    catalog = divisions()
    assert catalog.get("Craft & Hobby").level4_policy is Level4Policy.MINIMUMS_LETTER
    assert catalog.get("COP").level4_policy is Level4Policy.TREAT_AS_LEVEL_3
    fl = catalog.get("Floating Luxuries")
    assert fl.level4_policy is Level4Policy.REDIRECT_TO_WEBSITE
    assert str(fl.website) == "https://floatingluxuries.com/"
    assert fl.support_email == "customerservice@floatingluxuries.com"
    assert catalog.get("Mercury & Seward").level4_policy is Level4Policy.ORDER_MINIMUMS
    for name in ["ADV II & ISD", "Sulyn", "Wyla", "Art101"]:
        assert catalog.get(name).level4_policy is Level4Policy.NONE


def test_craft_and_hobby_minimums_are_the_seeds_and_others_are_unset() -> None:
    catalog = divisions()
    m = catalog.get("craft_hobby").minimums
    assert (m.order_quantity, m.order_amount, m.annual_credit_card, m.annual_terms) == (
        "Inner pack",
        Decimal(350),
        Decimal(2000),
        Decimal(10000),
    )
    for division in catalog.divisions:
        if division.key != "craft_hobby":
            assert not division.minimums.has_figures, division.key


def test_lookup_by_alias_and_case() -> None:
    catalog = divisions()
    assert catalog.get("craft and hobby").key == "craft_hobby"
    assert catalog.get("art 101").key == "art101"


def test_unknown_division_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="unknown division 'Glitterati'.*Craft & Hobby"):
        divisions().get("Glitterati")


def test_missing_key_names_file_and_key(tmp_path: Path) -> None:
    document = _shipped()
    del document["divisions"][0]["level4_policy"]
    path = _write(tmp_path, document)
    with pytest.raises(PolicyError) as err:
        divisions(path)
    assert str(path) in str(err.value)
    assert "divisions[0:craft_hobby].level4_policy: Field required" in str(err.value)


def test_bad_value_names_key_and_value(tmp_path: Path) -> None:
    document = _shipped()
    document["divisions"][0]["minimums"]["order_amount"] = "three fifty"
    path = _write(tmp_path, document)
    with pytest.raises(
        PolicyError,
        match=r"divisions\[0:craft_hobby\]\.minimums\.order_amount: .* \(got 'three fifty'\)",
    ):
        divisions(path)


def test_bad_policy_value(tmp_path: Path) -> None:
    document = _shipped()
    document["divisions"][2]["level4_policy"] = "ignore"
    with pytest.raises(PolicyError, match=r"level4_policy: Input should be .* \(got 'ignore'\)"):
        divisions(_write(tmp_path, document))


def test_unknown_key_is_an_error(tmp_path: Path) -> None:
    document = _shipped()
    document["divisions"][1]["minimum"] = 5
    with pytest.raises(PolicyError, match=r"divisions\[1:cop\]\.minimum: Extra inputs"):
        divisions(_write(tmp_path, document))


def test_duplicate_division_names(tmp_path: Path) -> None:
    document = _shipped()
    document["divisions"][1]["aliases"] = ["Craft & Hobby"]
    with pytest.raises(PolicyError, match="names both craft_hobby and cop"):
        divisions(_write(tmp_path, document))


def test_redirect_needs_a_website(tmp_path: Path) -> None:
    document = _shipped()
    del document["divisions"][2]["website"]
    with pytest.raises(PolicyError, match="redirect_to_website needs a website"):
        divisions(_write(tmp_path, document))


def test_invalid_yaml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "divisions.yaml"
    bad.write_text("divisions: [\n  - key: x\n  name")
    with pytest.raises(PolicyError, match="not valid YAML"):
        divisions(bad)
    with pytest.raises(PolicyError, match="file not found"):
        divisions(tmp_path / "nope.yaml")
