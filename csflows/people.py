"""The people csflows hands work to (`config/people.yaml`): who has which role, which sales
agents cover a division, and who a name or key in another file means."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import EmailStr, Field, model_validator

from csflows import config
from csflows.errors import PersonNotFound
from csflows.models.common import Model


class Role(StrEnum):
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    REP = "rep"
    QUOTES = "quotes"
    SALES_AGENT = "sales_agent"
    SALES_MANAGER = "sales_manager"
    PORTFOLIO = "portfolio"


class Person(Model):
    key: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    phone: str | None = Field(
        None, max_length=40, description="the number customers call (a sales agent's, seed 002)"
    )
    roles: list[Role] = Field(min_length=1)
    divisions: list[str] = Field(default_factory=list, description="a sales agent's divisions")
    manager: str | None = Field(None, description="the key of whoever gets their escalations")


class People(Model):
    cs_queue: EmailStr
    people: list[Person] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> People:
        keys = [p.key for p in self.people]
        if len(set(keys)) != len(keys):
            raise ValueError("people: every key must be unique")
        for person in self.people:
            if person.manager and person.manager not in keys:
                raise ValueError(f"{person.key}: manager {person.manager!r} is not a key of people")
        for role in (Role.SUPERVISOR, Role.PORTFOLIO):
            if not self.with_role(role):
                raise ValueError(f"people: nobody has the role {role.value}")
        return self

    def with_role(self, role: Role) -> list[Person]:
        return [p for p in self.people if role in p.roles]

    def find(self, key_name_or_email: str) -> Person | None:
        """The person a key, a name or an address in another file means (case-insensitive)."""
        wanted = key_name_or_email.strip().lower()
        return next(
            (p for p in self.people if wanted in (p.key, p.name.lower(), p.email.lower())), None
        )

    def get(self, key_name_or_email: str) -> Person:
        found = self.find(key_name_or_email)
        if found is None:
            raise PersonNotFound(
                f"{key_name_or_email!r} is not in config/people.yaml: give a person's key, "
                "name or address from it, or add them there"
            )
        return found

    def agents_for(self, division: str | None) -> list[Person]:
        """The sales agents who cover `division`, in file order (all agents when none does)."""
        agents = self.with_role(Role.SALES_AGENT)
        covering = [a for a in agents if division in a.divisions]
        return covering or agents

    @property
    def supervisor(self) -> Person:
        return self.with_role(Role.SUPERVISOR)[0]


def people(path: Path | None = None) -> People:
    """`config/people.yaml` (re-read when it changes)."""
    return config.load("people", People, path)
