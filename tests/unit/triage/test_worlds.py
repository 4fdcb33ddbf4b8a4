"""Mail in another world: held-out mail moved into a team's domains, and the model reading a
message the same in any world (its direction by that world's domains, their names in the text
as the same words)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from csflows.triage.classifier.features import mail_parts
from csflows.triage.classifier.training import load_writers, training_world
from csflows.triage.classifier.worlds import moved
from csflows.triage.mail.inbound import mail_from_json
from csflows.triage.policy import World

TEAM = World(
    own_domains=["corvane-supply.example", "corvanelabels.example"],
    supplier_domains=["kestrelinks.example"],
)
ROW = {
    "id": "x-1",
    "type": "Purchase - Purchase Order Status Update",
    "from": "Ana <ana@advantus.com>",
    "to": ["quotes@orders.packright.test"],
    "cc": ["sales@floatingluxuries.com", "pat@shop.example"],
    "subject": "PO 4471 from advantus.com",
    "body": "Any update? Reply to ana@advantus.com, not ana@advantus.community.\n"
    "On Mon, Li <li@inkworks.test> wrote:\n> shipping Friday",
    "attachments": ["PO 4471 (advantus.com).pdf"],
}


def test_held_out_mail_is_moved_into_a_teams_domains() -> None:
    row = moved(ROW, training_world(), TEAM)
    assert row["from"] == "Ana <ana@corvane-supply.example>"
    assert row["to"] == ["quotes@orders.kestrelinks.example"]  # a subdomain, too
    # the third own domain takes the team's first again; a customer's domain stays
    assert row["cc"] == ["sales@corvane-supply.example", "pat@shop.example"]
    assert row["subject"] == "PO 4471 from corvane-supply.example"
    assert "ana@corvane-supply.example, not ana@advantus.community" in row["body"]
    assert "<li@kestrelinks.example>" in row["body"]
    assert row["attachments"] == ["PO 4471 (corvane-supply.example).pdf"]
    assert (row["id"], row["type"]) == (ROW["id"], ROW["type"])


def test_a_message_reads_the_same_in_its_own_world_as_moved_into_a_teams() -> None:
    here = mail_parts(mail_from_json(ROW), training_world())
    there = mail_parts(mail_from_json(moved(ROW, training_world(), TEAM)), TEAM)
    assert here.direction == "sent_by_us"
    assert there.row() == here.row()
    assert "Reply to ana@owndomain, not ana@advantus.community" in here.new
    assert "<li@supplierdomain>" in here.quoted
    # read in a world it was not written in, the same mail loses its direction
    assert mail_parts(mail_from_json(ROW), TEAM).direction == "customer"


def test_a_team_without_suppliers_cannot_take_the_training_mails_suppliers() -> None:
    with pytest.raises(ValueError, match="no supplier domains"):
        moved(ROW, training_world(), TEAM.model_copy(update={"supplier_domains": []}))


def test_a_training_writer_who_invented_a_company_is_read_in_their_own_world(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "training"
    folder.mkdir()
    (folder / "world.yaml").write_text("own_domains: [advantus.com]\nsupplier_domains: [s.test]\n")
    (folder / "ana.jsonl").write_text(json.dumps(ROW) + "\n")
    (folder / "kim.jsonl").write_text(json.dumps(moved(ROW, training_world(), TEAM)) + "\n")
    (folder / "kim-world.json").write_text(json.dumps(TEAM.model_dump()))
    by_writer = load_writers(folder)
    assert by_writer["ana"][0].world.own_domains == ["advantus.com"]
    assert by_writer["kim"][0].world == TEAM
    ana, kim = (mail_parts(w[0].mail, w[0].world) for w in by_writer.values())
    assert ana.direction == kim.direction == "sent_by_us"
