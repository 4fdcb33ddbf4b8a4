"""Every exception csflows raises, in one tree. Catch a branch, not `Exception`:

CsflowsError
├── InputError                 what a person or a sender gave cannot be used; names field and problem
│   ├── FormError              the inquiry form file is unreadable or not the form's shape
│   ├── MailParseError         an inbound message cannot be read
│   ├── PoInputError           a purchase-order message is malformed
│   ├── CsvImportError         bad rows in a CRM export; nothing was imported
│   ├── PhoneNumberError       a phone number that cannot be turned into E.164
│   ├── HeaderInjectionError   a value bound for a mail header holds a line break
│   ├── PdfRefused             a PDF over one of the limits (size, pages, expansion)
│   └── UnreadablePdf          a PDF whose text cannot be extracted
├── ConfigError                a file in config/ or a setting is wrong; names file, key and value
│   ├── PolicyError            a policy file is missing, unreadable or refused by the rules
│   ├── TemplateError          a letter template is missing, malformed or short of values
│   ├── UntrustedModel         a stored triage model holds a type outside the trusted list
│   └── SettingMissing         an environment setting the command needs is not set
├── NotFound                   no record, person or thing of that name; says what was looked up
│   ├── InquiryNotFound        no inquiry with that id in the store
│   ├── CustomerNotFound       customer ids the store does not hold
│   ├── TicketNotFound         no ticket with that id in the store (or it was never parsed)
│   ├── DivisionNotFound       a division name that config/divisions.yaml does not know
│   ├── PersonNotFound         a person that config/people.yaml does not list
│   ├── TicketTypeNotFound     a ticket type that config/ticket_types.yaml does not list
│   ├── ModelNotFound          no stored triage model of that version (or none promoted yet)
│   └── DeploymentNotServed    the Prefect server has no such deployment: nobody serves it
├── StateError                 the record is not where the action needs it to be
│   ├── GateError              the inquiry is not waiting at the gate being answered
│   ├── FeedbackError          an outcome that cannot be acted on
│   └── ModelRefused           a candidate triage model is worse, or there is none to go back to
├── ExternalError              an outside system answered with an error
│   ├── ApiError               an API error that retrying will not fix (4xx other than 429)
│   │   └── TransientApiError  * timeouts, connection errors, 5xx and 429
│   └── FetchError             a website could not be fetched
│       ├── FetchUnreachable   not reached: the network's or our fault, no evidence it is gone
│       │   └── FetchTimeout   the site did not answer in time (slow is not gone)
│       ├── NameNotFound       the resolver answered that the site's name does not exist
│       └── FetchRefused       the SSRF guard refused the target address
└── Transient                  * worth another try after a pause
    ├── InboxUnavailable       * the IMAP server could not be reached or refused us
    ├── DeliveryError          * the mail server refused or could not be reached; stays queued
    └── PrefectUnavailable     * no Prefect server answers at PREFECT_API_URL

(* = Transient.) Whether to retry is `is_transient`, here and nowhere else. The classes also
derive from the built-in they used to be (ValueError, KeyError, LookupError, RuntimeError,
ConnectionError), so code and libraries that catch those still do.

The `csflows` command ends on any of them in one line on stderr, `error: <what happened and what
to do>`, with an exit code per branch (`exit_code`; a fault both external and transient counts as
transient, as it is worth another try):

    0  done
    1  an unexpected error: a bug, Python prints its traceback
    2  usage: an unknown command or option (typer)
    3  InputError
    4  ConfigError
    5  NotFound
    6  StateError
    7  ExternalError
    8  Transient
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests


class CsflowsError(Exception):
    """The root: anything csflows raises on purpose."""


class InputError(CsflowsError, ValueError):
    """Input from a person or a sender that cannot be used; the message names field and problem."""


class ConfigError(CsflowsError, ValueError):
    """A file in `config/` or a setting is wrong; the message names file, key and value."""


class NotFound(CsflowsError, LookupError):
    """No record, person or thing of that name; the message says what was looked up and what to
    do. Subclasses that used to be a KeyError still are one, without KeyError's quotes."""

    def __str__(self) -> str:
        return str(self.args[0]) if len(self.args) == 1 else super().__str__()


class StateError(CsflowsError, ValueError):
    """The record is not in the state the action needs."""


class ExternalError(CsflowsError, RuntimeError):
    """An outside system (an API, a website, a mail server) answered with an error."""


class Transient(CsflowsError):
    """A fault worth another try after a pause: timeouts, outages, rate limits."""


# Input


class FormError(InputError):
    """The form file is unreadable or not shaped like the New Customer Inquiry Form."""


class MailParseError(InputError):
    """The message cannot be read; the error says which part and why."""


class PoInputError(InputError):
    """The PO message is malformed; the message names the field and the problem."""


class CsvImportError(InputError):
    """One or more rows are bad; nothing was imported. `problems` holds one line per problem."""

    def __init__(self, path: Path, problems: list[str]):
        self.problems = problems
        if len(problems) == 1:  # one line, as the command line prints it
            super().__init__(f"{path}: nothing imported: {problems[0]}")
            return
        super().__init__(
            f"{path}: nothing imported, {len(problems)} problem(s):\n" + "\n".join(problems)
        )


class PhoneNumberError(InputError):
    """A phone number that cannot be turned into E.164."""


class HeaderInjectionError(InputError):
    """A value bound for a mail header holds a line break."""


class PdfRefused(InputError):
    """The PDF is over one of the limits: too big, too many pages, expands or nests too far."""


class UnreadablePdf(InputError):
    """A PDF whose text cannot be extracted: broken, encrypted, or a scan without text."""


# Config


class PolicyError(ConfigError):
    """A config file is missing, unreadable, or holds a value the business rules refuse."""


class TemplateError(ConfigError):
    """A template is missing, malformed, or was given too few values."""


class UntrustedModel(ConfigError):
    """A stored model file holds a type outside the trusted list (it could run code at load)."""


class SettingMissing(ConfigError):
    """An environment setting the command needs (PREFECT_API_URL ...) is not set."""


# Not found


class InquiryNotFound(NotFound):
    """No inquiry with that id."""


class CustomerNotFound(NotFound, ValueError):
    """Customer ids the store does not hold (a ValueError, as it was)."""


class TicketNotFound(NotFound, KeyError):
    """No ticket with that id in the store, or it was stored but never parsed."""


class DivisionNotFound(NotFound, KeyError):
    """A division name, key or alias that `config/divisions.yaml` does not know."""


class PersonNotFound(NotFound, KeyError):
    """A key, name or address that `config/people.yaml` does not list."""


class TicketTypeNotFound(NotFound, KeyError):
    """A ticket type that `config/ticket_types.yaml` does not list."""


class ModelNotFound(NotFound):
    """No stored triage model of that version, or none promoted yet."""


class DeploymentNotServed(NotFound):
    """The Prefect server has no deployment of that name: nobody has served it there."""


# State


class GateError(StateError):
    """The inquiry is not waiting at the gate being answered."""


class FeedbackError(StateError):
    """An outcome or feedback row that cannot be acted on (unknown, cancelled, contradictory)."""


class ModelRefused(StateError):
    """A candidate triage model is worse than the current one, or there is none to go back to."""


# Outside systems


class ApiError(ExternalError):
    """An API answered with an error that retrying will not fix (4xx other than 429)."""

    def __init__(self, api: str, message: str, status: int | None = None, body: Any = None):
        self.api, self.status, self.body = api, status, body
        super().__init__(f"{api}: {message}" + (f" (HTTP {status})" if status else ""))


class TransientApiError(ApiError, Transient):
    """Timeouts, connection errors, 5xx and 429: worth another try after a pause."""

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after


class FetchError(ExternalError):
    """The site could not be fetched: unreachable, refused by the guard, or a redirect problem."""


class FetchUnreachable(FetchError):
    """The site could not be reached for a fault on our side or the network's (a resolver that
    cannot answer, no route, a refused or reset connection, a failed TLS handshake): csflows
    could not look, which says nothing about the applicant's site."""


class FetchTimeout(FetchUnreachable):
    """The site did not answer within the limits: maybe slow, not proven gone."""


class NameNotFound(FetchError):
    """The resolver answered that the site's name does not exist (NXDOMAIN): evidence only when
    the resolver itself works."""


class FetchRefused(FetchError):
    """The guard refused a target address (SSRF protection)."""


class InboxUnavailable(Transient, ConnectionError):
    """The IMAP server could not be reached or refused us; the next run tries again."""


class DeliveryError(Transient, RuntimeError):
    """The mail server refused or could not be reached; the message stays queued to retry."""


class PrefectUnavailable(Transient, ConnectionError):
    """No Prefect server answers at PREFECT_API_URL; nothing was started there."""


EXIT_CODES: dict[type[CsflowsError], int] = {  # the first branch that matches wins
    Transient: 8,
    InputError: 3,
    ConfigError: 4,
    NotFound: 5,
    StateError: 6,
    ExternalError: 7,
}


def exit_code(exc: CsflowsError) -> int:
    """The `csflows` command's exit code for `exc`: its branch's (the table above), else 1."""
    return next((code for branch, code in EXIT_CODES.items() if isinstance(exc, branch)), 1)


def is_transient(exc: BaseException) -> bool:
    """Worth another try: our transient faults, and requests' timeouts and connection errors
    raised by a library before csflows could wrap them."""
    return isinstance(exc, Transient | requests.Timeout | requests.ConnectionError)
