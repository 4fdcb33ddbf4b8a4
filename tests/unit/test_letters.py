"""Every letter as its recipient reads it: rendered with sample values, no internal words, and
only the seeds' own letters called the seeds' wording."""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from prefect.settings import PREFECT_API_URL, PREFECT_UI_URL, temporary_settings
from typer.testing import CliRunner

from cli import app
from cli.letter_samples import SAMPLES
from csflows import letters
from csflows.divisions import divisions
from csflows.errors import PolicyError, TemplateError
from csflows.links import ui_base
from csflows.paths import config_dir
from csflows.templates import letterhead, render
from csflows.tiers import tier_policy
from csflows.vetting.policy import approval_policy

ALL = letters.preview(SAMPLES)


def test_every_template_on_disk_is_in_the_catalog_and_renders() -> None:
    assert {p.name for p in ALL} == set(letters.catalog().letters)
    assert len(ALL) >= 27
    assert all(p.subject and p.body.strip() for p in ALL)


@pytest.mark.parametrize("letter", ALL, ids=lambda p: p.name)
def test_no_letter_shows_seeds_config_keys_or_unfilled_values(letter: letters.Preview) -> None:
    assert letters.internal_words(letter.subject + "\n" + letter.body) == []


def test_the_samples_use_names_that_end_in_a_full_stop() -> None:
    samples = {name: make() for name, make in SAMPLES.items()}
    assert samples["vetting_decline"]["business_name"] == "Harbor Paper Co."
    assert samples["retention_checkin_email"]["customer_name"].endswith("Co.")


@pytest.mark.parametrize("letter", ALL, ids=lambda p: p.name)
def test_no_letter_shows_a_doubled_full_stop(letter: letters.Preview) -> None:
    assert re.findall(r"(?<!\.)\.\.(?!\.)", letter.subject + "\n" + letter.body) == []


# Businesses a letter could send a reader to; each may appear only when configured as a channel.
_RETAILERS = re.compile(r"\bjo-?ann\b|\bmichaels\b|\bhobby lobby\b|\bwalmart\b|\betsy\b", re.I)


def _configured_hosts() -> set[str]:
    """Hosts a letter may link to: the configured channels and divisions' sites, and csflows'
    own pages (the sample run links); `.example` hosts are the samples' made-up ones."""
    urls = [str(c.url) for c in approval_policy().retail_channels]
    urls += [str(d.website) for d in divisions().divisions if d.website]
    return {urlsplit(url).hostname or "" for url in urls} | {"127.0.0.1"}


@pytest.mark.parametrize("letter", ALL, ids=lambda p: p.name)
def test_no_letter_names_or_links_a_business_nobody_configured(letter: letters.Preview) -> None:
    text = letter.subject + "\n" + letter.body
    hosts = {urlsplit(url).hostname or "" for url in re.findall(r"https?://[^\s)]*[^\s).,]", text)}
    assert {h for h in hosts if not h.endswith(".example")} <= _configured_hosts()
    configured = " ".join(c.name for c in approval_policy().retail_channels)
    assert [m for m in _RETAILERS.findall(text) if m.lower() not in configured.lower()] == []


def test_only_the_craft_hobby_and_floating_luxuries_letters_are_the_seeds_wording() -> None:
    seeds = {p.name for p in ALL if p.wording != "assumption"}
    assert seeds == {"level4_craft_hobby", "level4_floating_luxuries"}


def test_internal_words_are_caught_and_an_email_address_is_not_one() -> None:
    text = (
        "As seed 003 says, see config/divisions.yaml: order_amount is (not set), {{ name }}, None."
    )
    assert letters.internal_words(text) == sorted(
        ["seed 003", "config/", ".yaml", "order_amount", "(not set)", "{{", "}}", "None"]
    )
    assert letters.internal_words("Write to dana_ruiz@advantus.example today.") == []


def test_the_amazon_decline_says_amazon_is_a_customer_not_that_we_sell_there() -> None:
    body = letters.preview(SAMPLES, "vetting_decline_amazon")[0].body
    assert "Amazon is already one of our customers" in body
    assert "sell our products on Amazon" not in body
    assert "amazon.com" not in body and "buy our products" not in body  # no channel configured


_CUSTOMERS_READ = {"customer", "applicant"}


@pytest.mark.parametrize(
    "letter", [p for p in ALL if p.audience in _CUSTOMERS_READ], ids=lambda p: p.name
)
def test_no_letter_to_a_customer_names_a_service_tier(letter: letters.Preview) -> None:
    """Seed 003: the tiers are nothing "obvious to the one time customer"; the reminder speaks
    of rewards and amounts, never of our tier names."""
    text = (letter.subject + "\n" + letter.body).lower()
    assert [t.name for t in tier_policy().tiers if t.name.lower() in text] == []


def test_the_tier_reminder_speaks_to_the_customer_of_rewards_in_whole_dollars() -> None:
    [shown] = letters.preview(SAMPLES, "tier_reminder")
    assert shown.subject == "You are $7,501 away from our rewards"
    assert "your purchases with us came to $92,500." in shown.body
    assert "come to more than $100,000 receive:\n- Free freight" in shown.body
    assert "customer's" not in shown.body and "Whatever your purchases" not in shown.body


def test_a_letter_amount_nobody_set_fails_instead_of_reading_not_set() -> None:
    with pytest.raises(TemplateError, match="amount the letter shows is not set"):
        render(
            "tier_reminder",
            customer_name="X",
            trailing=None,
            amount_to_next=Decimal(1),
            threshold=Decimal(100000),
            rewards=["Free freight"],
            window_months=12,
        )


def test_an_unknown_letter_name_lists_the_letters() -> None:
    with pytest.raises(
        PolicyError, match="no letter named 'nope'; the letters are: .*level4_craft_hobby"
    ):
        letters.preview(SAMPLES, "nope")


def test_letters_preview_json_from_the_command_line() -> None:
    result = CliRunner().invoke(app, ["letters", "preview", "vetting_approved", "--json"])
    assert result.exit_code == 0, result.output
    [shown] = json.loads(result.output)
    assert shown["audience"] == "applicant" and shown["wording"] == "assumption"
    assert shown["subject"] == "Your new account request with Craft & Hobby is approved"


WHERE_CS_WORKS = {
    "ticket_assigned",
    "ticket_digest",
    "po_supervisor_review",
    "retention_agent_task",
}


def test_letters_preview_json_shows_the_tier_where_cs_works_and_never_to_a_customer() -> None:
    """Seed 003: CS sees a customer's tier on tickets, POs and touchpoints; no letter to a
    customer or an applicant names a tier or what it adds (a key like extra_special is one of
    the internal words every letter is checked for)."""
    result = CliRunner().invoke(app, ["letters", "preview", "--json"])
    assert result.exit_code == 0, result.output
    shown = {p["name"]: p for p in json.loads(result.output)}
    top = tier_policy().tiers[-1]
    for name in WHERE_CS_WORKS:
        assert top.name in shown[name]["body"], name
    words = [w.lower() for t in tier_policy().tiers for w in (t.name, *t.extras)]
    for letter in shown.values():
        if letter["audience"] in _CUSTOMERS_READ:
            text = (letter["subject"] + "\n" + letter["body"]).lower()
            assert [w for w in words if w in text] == [], letter["name"]


def test_letters_preview_text_names_the_recipient() -> None:
    result = CliRunner().invoke(app, ["letters", "preview", "level4_craft_hobby"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("=== level4_craft_hobby  (to: customer; wording: seed 000)")
    assert "Minimum Order: $350" in result.output


def test_the_run_form_link_fills_in_the_touchpoint() -> None:
    from urllib.parse import parse_qs, urlsplit

    from csflows.links import run_form

    link = run_form("abc", {"touchpoint_id": 311})
    assert link.split("?")[0].endswith("/deployments/deployment/abc/run")
    assert json.loads(parse_qs(urlsplit(link).query)["parameters"][0]) == {"touchpoint_id": 311}


def _team_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of config/ that CSFLOWS_CONFIG_DIR points at, for a team to edit."""
    config = tmp_path / "config"
    shutil.copytree(config_dir(), config, ignore=shutil.ignore_patterns("training"))
    monkeypatch.setenv("CSFLOWS_CONFIG_DIR", str(config))
    return config


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new))


def test_no_template_writes_the_company_name_in_itself() -> None:
    """The company's name is letters.yaml's one value, so a team that is not Advantus sets it."""
    company = letterhead().company
    assert company == "Advantus"  # the seeds' company, shipped as the default
    written_in = [
        p.name for p in (config_dir() / "templates").glob("*.j2") if company in p.read_text()
    ]
    assert written_in == []


def test_letters_preview_shows_the_teams_own_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A team checks its setup with `csflows letters preview`: the company, its people, its
    supervisor and its Prefect UI, not the shipped sample's."""
    config = _team_config(tmp_path, monkeypatch)
    _edit(config / "letters.yaml", "company: Advantus", "company: Copper Works")
    _edit(config / "people.yaml", "Jordan Diaz", "Jo Rivera")
    _edit(config / "people.yaml", "Dana Ruiz", "Dana Okafor")
    _edit(config / "people.yaml", "dana.ruiz@advantus.example", "dana@copper.example")
    _edit(config / "people.yaml", "cs-supervisor@example.com", "boss@copper.example")
    with temporary_settings({PREFECT_UI_URL: "http://ui.copper.example:4466"}):
        result = CliRunner().invoke(app, ["letters", "preview", "--json"])
    assert result.exit_code == 0, result.output
    shown = {p["name"]: p for p in json.loads(result.output)}
    assert (
        shown["retention_welcome_email"]["subject"] == "Welcome to Copper Works, Bright Crafts Co."
    )
    assert "welcome to Copper Works!" in shown["retention_welcome_sms"]["body"]
    assert shown["new_account_reply"]["body"].endswith("Jo Rivera\nCustomer Service")
    assert "Dana Okafor <dana@copper.example>" in shown["retention_escalation"]["body"]
    assert "(boss@copper.example)" in shown["vetting_approval_escalation"]["body"]
    assert "http://ui.copper.example:4466/runs/flow-run/" in shown["vetting_key_form"]["body"]
    assert "http://ui.copper.example:4466/artifacts/" in shown["ticket_assigned"]["body"]
    text = json.dumps(shown)
    for shipped in ("Advantus", "Jordan Diaz", "Dana Ruiz", "cs-supervisor@", "127.0.0.1:4200"):
        assert shipped not in text, shipped


def test_without_a_prefect_address_links_go_to_the_quick_starts_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """scripts/start serves the UI on CSFLOWS_PORT; a preview run beside it links there too."""
    monkeypatch.setenv("CSFLOWS_PORT", "4466")
    with temporary_settings(restore_defaults={PREFECT_API_URL, PREFECT_UI_URL}):
        assert ui_base() == "http://127.0.0.1:4466"
        [shown] = letters.preview(SAMPLES, "vetting_supervisor_review")
    assert "http://127.0.0.1:4466/runs?state=Suspended" in shown.body
