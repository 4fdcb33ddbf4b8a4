"""The triage classifier: rules first (direction, keywords, references), then the text model."""

from __future__ import annotations

from collections import Counter

from csflows.paths import config_dir
from csflows.triage.classifier import InboundMail, classifier, direction_of, load_examples
from csflows.triage.evaluation import cross_validate, stratified_folds
from csflows.triage.ticket_types import Direction, ticket_types


def _mail(
    sender: str,
    subject: str,
    body: str = "",
    to: tuple[str, ...] = ("cs@advantus.com",),
    attachments: tuple[str, ...] = (),
) -> InboundMail:
    return InboundMail(sender, to, subject, body, attachments)


def test_direction_by_domain() -> None:
    policy = ticket_types()
    assert direction_of(_mail("a@shop.example", "x"), policy) is Direction.CUSTOMER
    assert direction_of(_mail("q@Orders.PackRight.test", "x"), policy) is Direction.SUPPLIER
    assert (
        direction_of(_mail("jen@advantus.com", "x", to=("b@shop.example",)), policy)
        is Direction.SENT_BY_US
    )
    assert (
        direction_of(_mail("jen@advantus.com", "x", to=("prepress@advantus.com",)), policy)
        is Direction.INTERNAL
    )


def test_a_keyword_decides_when_one_type_has_it() -> None:
    result = classifier().classify(_mail("new@shop.example", "New account request", "hello"))
    assert result.type == "New Customer - Account Request"
    assert result.confidence == 0.95 and "keyword:new account request" in result.signals
    form = classifier().classify(
        _mail(
            "new@shop.example",
            "RE: hello",
            "attached",
            attachments=("New_Customer_Inquiry_Form.pdf",),
        )
    )
    assert form.type == "New Customer - Inquiry Form Returned"


def test_direction_rules_out_types_the_sender_cannot_send() -> None:
    # "complaint" is a Customer complaint keyword, but a supplier cannot send a customer complaint.
    result = classifier().classify(
        _mail(
            "ar@packright.test",
            "Complaint: invoice 45 days past due",
            "Please pay or we hold your account.",
        )
    )
    assert result.type == "Supplier complaint" and result.direction is Direction.SUPPLIER


def test_the_model_decides_what_rules_leave_open_with_signals() -> None:
    result = classifier().classify(
        _mail(
            "ar@advantus.com",
            "Invoice INV-301999",
            "Your invoice is attached.",
            to=("ap@shop.example",),
            attachments=("INV-301999.pdf",),
        )
    )
    assert result.type == "Sales Invoice - Sales Invoice Document"
    assert {"dir:sent_by_us", "att:pdf", "ref:invoice"} <= set(result.signals)
    assert 0 < result.confidence <= 1


def test_the_labelled_set_covers_every_type() -> None:
    policy = ticket_types()
    examples = load_examples(config_dir() / policy.training_set)
    counts = Counter(e.type for e in examples)
    assert len(examples) >= 150
    # The old writer's only "Purchase - Purchase Order Document" examples were customer POs,
    # relabelled "Sales Order - Sales Order Received!" by the convention in ticket_types.yaml.
    assert set(counts) == set(policy.names()) - {"Purchase - Purchase Order Document"}
    assert min(counts.values()) >= 5
    assert len({e.id for e in examples}) == len(examples)


def test_cross_validated_quality_floor() -> None:
    """Held-out messages only: each fold's model never saw the messages it classifies."""
    policy = ticket_types()
    examples = load_examples(config_dir() / policy.training_set)
    folds = stratified_folds(examples, 5)
    assert sum(len(f) for f in folds) == len(examples)
    assert not {e.id for e in folds[0]} & {e.id for e in folds[1]}
    result = cross_validate(policy, examples, 5)
    assert result.accuracy >= 0.7
    assert result.accuracy_above_threshold >= 0.85  # what triage decides alone is mostly right
    assert sum(s.recall > 0 for s in result.scores) >= 27


def test_the_text_model_gives_the_next_two_guesses_below_its_own() -> None:
    from csflows.triage.classifier import InboundMail, classifier

    result = classifier().classify(
        InboundMail(
            sender="someone@shop.example",
            to=["cs@advantus.com"],
            subject="hello",
            body="Can you tell me more about your products and when my order ships?",
        )
    )
    assert len(result.alternatives) == 2
    assert result.type not in {t for t, _ in result.alternatives}
    assert result.confidence >= result.alternatives[0][1] >= result.alternatives[1][1]
