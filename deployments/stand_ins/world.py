"""The demo world: local stand-ins for Google Maps, RDAP and the sample applicants' websites, so
`scripts/start --demo` shows every path of vetting as designed without a Google key or network.

Each applicant of `config/demo/inquiries/` is who its form says: Google finds its business at its
address (a PO box is a PO box), RDAP knows its domain since 2011, and its site (HTTPS, signed by
a throwaway CA) names it, with its Amazon storefront when it has one. Anyone else is unknown to
the stand-ins. The served runs are pointed here through the same environment variables the
clients always read; nothing outward (other mail servers, inboxes, Twilio, NetSuite) stays set.
"""

from __future__ import annotations

import html
import json
import re
import tempfile
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from csflows.paths import config_dir
from csflows.vetting.criteria.address import PO_BOX
from csflows.vetting.timezones import zone_for_region
from deployments.stand_ins import google, rdap
from deployments.stand_ins.servers import HttpServer, Reply, Request
from deployments.stand_ins.sites import Page, SiteServer
from deployments.stand_ins.tls import make_certificates

TAG = "stand-in-world"
"""The tag of every deployment served against the stand-ins (and so of their runs)."""

REGISTERED = "2011-05-17T00:00:00Z"  # every sample domain is an established one
OUTWARD = ("CSFLOWS_IMAP_", "CSFLOWS_INBOXES", "CSFLOWS_TWILIO_", "CSFLOWS_NETSUITE_")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class Applicant:
    """One sample applicant as the stand-ins describe it (from its form)."""

    form: Mapping[str, Any]
    location: tuple[float, float]

    def field(self, name: str) -> str:
        return str(self.form.get(name) or "")

    def address(self, name: str) -> str:
        return str((self.form.get("address") or {}).get(name) or "")

    @property
    def street(self) -> str:
        return " ".join(p for p in (self.address("street"), self.address("unit")) if p)

    @property
    def formatted(self) -> str:
        city, region, postal = (self.address(k) for k in ("city", "region", "postal_code"))
        return f"{self.street}, {city}, {region} {postal}, USA"

    @property
    def po_box(self) -> bool:
        return bool(PO_BOX.search(self.street))

    @property
    def host(self) -> str:
        return (urlsplit(self.field("website")).hostname or "").lower()

    def home_page(self) -> str:
        """A small business site that names the business, says what it sells and where."""
        name = html.escape(self.field("business_name"))
        title = html.escape(self.field("dba") or self.field("business_name"))
        lines = [
            f"<!doctype html><html><head><title>{title}</title></head><body>",
            f"<h1>{name}</h1><p>{html.escape(self.field('current_products'))}.</p>",
            f"<p>Find us at {html.escape(self.formatted)}.</p>",
            f"<p>Contact: {html.escape(self.field('email'))}, {html.escape(self.field('phone'))}</p>",
        ]
        if storefront := self.field("amazon_storefront"):
            link = f"https://www.amazon.com/sp?seller={html.escape(storefront)}"
            lines.append(f'<p>Shop our <a href="{link}">Amazon storefront</a>.</p>')
        return "\n".join([*lines, "</body></html>"])


def applicants(folder: Path | None = None) -> list[Applicant]:
    """The sample applicants with an address and a website (an incomplete form has neither)."""
    folder = folder or config_dir() / "demo"
    found: list[Applicant] = []
    for file in sorted((folder / "inquiries").glob("*.json")):
        form = json.loads(file.read_text(encoding="utf-8"))
        if form.get("website") and (form.get("address") or {}).get("street"):
            point = (round(43.0 + len(found) / 100, 4), round(-89.0 - len(found) / 100, 4))
            found.append(Applicant(form, point))
    return found


def _words(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _number(text: str) -> float | None:
    try:
        return round(float(text), 4)
    except ValueError:
        return None


class StandInWorld:
    """Google Maps and RDAP on one local server, the applicants' sites (HTTPS) on another."""

    def __init__(self, folder: Path | None = None) -> None:
        self.applicants = applicants(folder)
        self.apis = HttpServer()
        hosts = [h for a in self.applicants for h in (a.host, f"www.{a.host}")]
        self._certificates = tempfile.TemporaryDirectory(prefix="csflows-stand-ins-")
        self.ca, cert, key = make_certificates(
            Path(self._certificates.name), *(hosts or ["localhost"])
        )
        self.sites = SiteServer(tls=(str(cert), str(key)))
        for applicant in self.applicants:
            for host in (applicant.host, f"www.{applicant.host}"):
                self.sites.site(host, "/", Page(body=applicant.home_page()))
        self._route()

    def _route(self) -> None:
        self.apis.route("POST", google.VALIDATE, self._validate)
        self.apis.route("POST", google.PLACES, self._places)
        self.apis.route("GET", google.GEOCODE, self._geocode)
        self.apis.route("GET", google.TIMEZONE, self._time_zone)
        self.apis.route("GET", "/rdap/domain/", self._rdap)

    def _asked_about(self, request: Request) -> Applicant | None:
        asked = f" {_words(google.requested_address(request))} "
        return next((a for a in self.applicants if f" {_words(a.street)} " in asked), None)

    def _validate(self, request: Request) -> Reply:
        applicant = self._asked_about(request)
        if applicant is None:  # an address the stand-ins do not know: nothing confirmed
            return Reply(200, google.unplaced(google.requested_address(request)))
        metadata = {"business": True, "residential": False, "poBox": applicant.po_box}
        return Reply(
            200,
            google.validation(
                metadata,
                street=applicant.street,
                city=applicant.address("city"),
                region=applicant.address("region"),
                postal_code=applicant.address("postal_code"),
                location=applicant.location,
                addressRecordType="P" if applicant.po_box else "S",
            ),
        )

    def _places(self, request: Request) -> Reply:
        applicant = self._asked_about(request)
        if applicant is None or applicant.po_box:  # no storefront at a PO box
            return Reply(200, {})
        return Reply(
            200, google.places(applicant.field("business_name"), address=applicant.formatted)
        )

    def _geocode(self, request: Request) -> Reply:
        applicant = self._asked_about(request)
        if applicant is None:
            return Reply(200, google.NO_RESULTS)
        return Reply(200, google.geocode(["premise"], applicant.formatted, applicant.location))

    def _time_zone(self, request: Request) -> Reply:
        lat, _, lng = "".join(request.query.get("location", [])).partition(",")
        for applicant in self.applicants:
            if (_number(lat), _number(lng)) == applicant.location:
                zone = zone_for_region(applicant.address("region"), "America/Chicago")
                return Reply(200, google.time_zone(zone))
        return Reply(200, {"status": "ZERO_RESULTS"})

    def _rdap(self, request: Request) -> Reply:
        domain = request.path.rsplit("/", 1)[-1].lower()
        headers = {"Content-Type": "application/rdap+json"}
        if any(a.host.removeprefix("www.") == domain for a in self.applicants):
            return Reply(200, rdap.domain(domain, REGISTERED), headers)
        return Reply(404, rdap.NOT_FOUND, headers)

    def start(self) -> StandInWorld:
        self.apis.start()
        self.sites.start()
        return self

    def stop(self) -> None:
        self.apis.stop()
        self.sites.stop()
        self._certificates.cleanup()

    def environment(self) -> dict[str, str]:
        """What points the clients here: Google's base URLs (and a key that is no key), RDAP's,
        the applicants' names pinned to the sites' server with its CA, saved blocks ignored."""
        hosts = [h for a in self.applicants for h in (a.host, f"www.{a.host}")]
        return {
            **google.environment(self.apis.url),
            "CSFLOWS_RDAP_BASE_URL": f"{self.apis.url}/rdap",
            "CSFLOWS_RESOLVE": self.sites.resolve_entry(*hosts, as_port=443),
            "CSFLOWS_CA_BUNDLE": str(self.ca),
            "CSFLOWS_SKIP_BLOCK_LOOKUP": "1",
        }


def refusal(environ: Mapping[str, str]) -> str | None:
    """Why the stand-ins must not serve this environment (a team's server, a shared store, a
    real mail server: real applicants could be checked against them, or mail leave), or None."""
    api = urlsplit(environ.get("PREFECT_API_URL", "")).hostname or ""
    if api not in LOOPBACK:
        return f"PREFECT_API_URL ({api or 'not set'}) is not a Prefect server on this machine"
    if environ.get("CSFLOWS_DATABASE_URL"):
        return "CSFLOWS_DATABASE_URL names a shared store; the demo world keeps its own home"
    smtp = environ.get("CSFLOWS_SMTP_HOST", "")
    if smtp and smtp not in LOOPBACK:
        return f"CSFLOWS_SMTP_HOST ({smtp}) is a mail server elsewhere; the demo keeps mail here"
    return None


def point_at(world: StandInWorld, environ: MutableMapping[str, str]) -> None:
    """Point this process (and the runs it starts) at the stand-ins, and drop what reaches
    outside: inboxes, Twilio, NetSuite."""
    for key in [k for k in environ if k.startswith(OUTWARD)]:
        del environ[key]
    environ.update(world.environment())
