"""The ticket types of seed 004 (`config/ticket_types.yaml`): who sends them, who gets them,
which need no response, and what triage starts for each."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import ClassVar

from pydantic import Field, field_validator, model_validator

from csflows import config
from csflows.errors import TicketTypeNotFound
from csflows.models.common import Model


class Direction(StrEnum):
    """Who sent a message, told by the sender's and recipients' domains."""

    CUSTOMER = "customer"
    SUPPLIER = "supplier"
    SENT_BY_US = "sent_by_us"
    INTERNAL = "internal"


class AutoResolve(StrEnum):
    NEVER = "never"
    ALWAYS = "always"  # "no response needed, assign to CS then tag as resolved"
    WHEN_SENT_BY_US = "when_sent_by_us"  # no response needed when CS started the conversation


class Route(StrEnum):
    """What triage starts for a ticket of the type."""

    NONE = "none"
    ACCOUNT_REQUEST = "account_request"  # reply with the inquiry form (seed 001)
    FORM_RETURNED = "form_returned"  # start vet-new-customer
    PURCHASE_ORDER = "purchase_order"  # start handle-purchase-order
    COMPLAINT = "complaint"  # negative feedback for a customer in the retention cadence


class TicketType(Model):
    removed_keys: ClassVar[dict[str, str]] = {
        "keywords": (
            "delete it; keywords no longer decide a type, the model trained on config/training/ "
            "types tickets (config/training/README.md)"
        )
    }

    name: str = Field(min_length=1)
    definition: str = ""
    directions: list[Direction] = Field(min_length=1)
    assignee: str | None = None
    response_needed: bool = True
    auto_resolve: AutoResolve = AutoResolve.NEVER
    route: Route = Route.NONE
    # the directions in which a person always types a ticket of this type, however sure the
    # model is: the type turns on something the mail alone cannot tell (the catalog, say)
    person_decides: list[Direction] = Field(default_factory=list)

    def resolves(self, direction: Direction) -> bool:
        """True when a message of this type and direction is resolved on arrival."""
        if self.auto_resolve is AutoResolve.ALWAYS:
            return True
        return self.auto_resolve is AutoResolve.WHEN_SENT_BY_US and direction in {
            Direction.SENT_BY_US,
            Direction.INTERNAL,
        }


class World(Model):
    """The domains a message's direction is read against: ours and our suppliers' (any other
    sender is a customer). The team's are in config/ticket_types.yaml; the training mail's,
    which its writers invented, in config/training/world.yaml."""

    own_domains: list[str] = Field(min_length=1)
    supplier_domains: list[str] = Field(default_factory=list)

    @field_validator("own_domains", "supplier_domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        out = []
        for domain in value:
            domain = domain.strip().lower().lstrip("@")
            if not domain or "." not in domain or " " in domain:
                raise ValueError(f"{domain!r} is not a mail domain such as advantus.com")
            out.append(domain)
        return out

    def domains(self) -> World:
        """Only the domains (a policy is a world with more in it)."""
        return World(own_domains=self.own_domains, supplier_domains=self.supplier_domains)


class TicketTypes(World):
    """The whole triage policy: types, our domains (the team's world), the confidence below
    which people decide."""

    removed_keys: ClassVar[dict[str, str]] = {
        "training_set": (
            "delete it; the model is trained on every writer's file in config/training/ "
            "(config/training/README.md)"
        )
    }

    default_assignee: str = Field(min_length=1)
    confidence_threshold: float = Field(ge=0, le=1)
    auto_handled_precision: float = Field(
        gt=0, le=1, description="the share of mail handled without a person that must be right"
    )
    team_answer_weight: float = Field(ge=1, le=100)  # a review answer, in writers' examples
    preselect_guess_from: float = Field(ge=0, le=1)  # the review form pre-selects a guess
    types: list[TicketType] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> TicketTypes:
        seen: set[str] = set()
        for t in self.types:
            if t.name.lower() in seen:
                raise ValueError(f"ticket type {t.name!r} is listed twice")
            seen.add(t.name.lower())
        return self

    def get(self, name: str) -> TicketType:
        for t in self.types:
            if t.name == name:
                return t
        raise TicketTypeNotFound(
            f"unknown ticket type {name!r}: config/ticket_types.yaml lists the types"
        )

    def assignee(self, name: str) -> str:
        return self.get(name).assignee or self.default_assignee

    def names(self) -> list[str]:
        return [t.name for t in self.types]


def ticket_types(path: Path | None = None) -> TicketTypes:
    """The policy from `config/ticket_types.yaml` (re-read when the file changes)."""
    return config.load("ticket_types", TicketTypes, path)
