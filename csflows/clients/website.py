"""The guarded website fetcher: the SSRF boundary of vetting (DESIGN.md, Security).

Each hop resolves its host once and connects to that address (Host header and TLS SNI keep the
name), refusing private, loopback, link-local, multicast, reserved and unspecified addresses on
the first request and on every redirect unless CSFLOWS_ALLOW_PRIVATE_NETWORKS=1. The cloud
metadata address is refused always. Redirects, bytes and time are capped.

CSFLOWS_RESOLVE pins names like curl's --resolve (`host:port:address`, comma-separated), and
may name the port to connect to as well, like curl's --connect-to (`host:443:127.0.0.1:8443`); a
pin is the operator's explicit choice, so its address is trusted (tests and the demo world serve
named sites on 127.0.0.1 that way). Any other target, including a literal IP in a redirect, goes
through the guard. CSFLOWS_CA_BUNDLE names the CA certificates to trust instead of certifi's
(the demo world's own CA).
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from csflows.errors import (
    FetchError,
    FetchRefused,
    FetchTimeout,
    FetchUnreachable,
    NameNotFound,
)
from csflows.models.common import Model

METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
}
REDIRECTS = {301, 302, 303, 307, 308}
USER_AGENT = "csflows-vetting/0.1 (+customer-service new-account check)"


NO_SUCH_NAME = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}
"""The resolver's answers that the name does not exist; any other failure is the resolver's."""


class FetchFault(StrEnum):
    """Why a site could not be fetched, as the website criterion weighs it."""

    SITE = "site"  # the site answered wrongly (redirects) or the guard refused it: evidence
    NO_SUCH_NAME = "no-such-name"  # NXDOMAIN: evidence only when the resolver works
    UNREACHABLE = "unreachable"  # our side or the network's: csflows could not look
    TIMEOUT = "timeout"  # slow is not gone


def fault_of(exc: FetchError) -> FetchFault:
    if isinstance(exc, FetchTimeout):
        return FetchFault.TIMEOUT
    if isinstance(exc, FetchUnreachable):
        return FetchFault.UNREACHABLE
    if isinstance(exc, NameNotFound):
        return FetchFault.NO_SUCH_NAME
    return FetchFault.SITE


class WebPage(Model):
    """One site as the fetcher saw it; `error` and `fault` set when it could not be fetched."""

    requested_url: str
    final_url: str | None = None
    status: int | None = None
    html: str = ""
    truncated: bool = False
    redirects: list[str] = []
    address: str | None = None
    error: str | None = None
    fault: FetchFault | None = None

    @property
    def timed_out(self) -> bool:
        return self.fault is FetchFault.TIMEOUT


class Pin(NamedTuple):
    """Where a pinned (host, port) connects: an address, and a port (the URL's unless pinned)."""

    address: str
    port: int


@dataclass(frozen=True)
class FetchLimits:
    max_redirects: int = 5
    max_bytes: int = 2_000_000
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 20.0
    allow_private: bool = False
    pins: dict[tuple[str, int], Pin] = field(default_factory=dict)
    ca_bundle: str | None = None  # CA certificates to trust instead of certifi's


def private_networks_allowed(environ: dict[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return env.get("CSFLOWS_ALLOW_PRIVATE_NETWORKS", "").strip().lower() in {"1", "true", "yes"}


def parse_pins(value: str) -> dict[tuple[str, int], Pin]:
    """`host:port:address[:port][,...]` (an IPv6 address in brackets when a port follows it)
    -> {(host, port): Pin(address, port to connect to)}."""
    pins: dict[tuple[str, int], Pin] = {}
    for entry in filter(None, (e.strip() for e in value.split(","))):
        host, _, rest = entry.partition(":")
        port, _, target = rest.partition(":")
        if target.startswith("["):
            address, _, connect = target[1:].partition("]")
            connect = connect.removeprefix(":")
        elif target.count(":") == 1:
            address, _, connect = target.partition(":")
        else:
            address, connect = target, ""
        try:
            ipaddress.ip_address(address)
            pins[(host.lower(), int(port))] = Pin(address, int(connect or port))
        except ValueError as exc:
            raise ValueError(f"CSFLOWS_RESOLVE: {entry!r} is not host:port:address[:port]") from exc
    return pins


def refusal(address: str) -> str | None:
    """Why the guard refuses this address, or None when it is a public unicast address."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    for test, label in (
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (ip.is_unspecified, "unspecified"),
        (ip.is_reserved, "reserved"),
        (ip.is_private, "private"),
        (not ip.is_global, "not public"),
    ):
        if test:
            return f"{address} is a {label} address"
    return None


def _resolve(host: str, port: int, limits: FetchLimits) -> Pin:
    """Resolve once; the address (and port) returned is the one we connect to."""
    pinned = limits.pins.get((host.lower(), port))
    if pinned:
        if ipaddress.ip_address(pinned.address) in METADATA_ADDRESSES:
            raise FetchRefused(f"{host}: {pinned.address} is the cloud metadata address")
        return pinned
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        if exc.errno in NO_SUCH_NAME:
            raise NameNotFound(f"{host}: the name does not resolve ({exc.strerror})") from exc
        raise FetchUnreachable(f"{host}: the name could not be looked up ({exc.strerror})") from exc
    address = str(infos[0][4][0])
    if ipaddress.ip_address(address) in METADATA_ADDRESSES:
        raise FetchRefused(f"{host}: {address} is the cloud metadata address")
    if not limits.allow_private and (why := refusal(address)):
        raise FetchRefused(f"{host}: refused, {why}")
    return Pin(address, port)


class _PinnedAdapter(HTTPAdapter):
    """Connects to the resolved address but verifies TLS for (and sends SNI of) the host name."""

    def __init__(self, hostname: str) -> None:
        self.hostname = hostname
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(
        self, request: Any, verify: Any, cert: Any = None
    ) -> Any:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        kwargs: dict[str, Any] = dict(pool_kwargs)
        if host_params["scheme"] == "https":
            kwargs["server_hostname"] = self.hostname
            kwargs["assert_hostname"] = self.hostname
        return host_params, kwargs


def _hop(
    url: str, limits: FetchLimits, deadline: float
) -> tuple[requests.Response, str, bytes, bool]:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise FetchError(f"{url}: only http and https web addresses can be checked")
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address, connect_port = _resolve(host, port, limits)
    netloc_ip = f"[{address}]" if ":" in address else address
    target = urlunsplit(
        (parts.scheme, f"{netloc_ip}:{connect_port}", parts.path or "/", parts.query, "")
    )
    default_port = port == (443 if parts.scheme == "https" else 80)
    headers = {
        "Host": host if default_port else f"{host}:{port}",
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
    }
    with requests.Session() as http:
        http.trust_env = False  # never send an applicant's URL through a proxy from the env
        http.mount(f"{parts.scheme}://", _PinnedAdapter(host))
        timeout = (limits.connect_timeout, limits.read_timeout)
        response = http.get(
            target,
            headers=headers,
            timeout=timeout,
            stream=True,
            allow_redirects=False,
            verify=limits.ca_bundle or True,
        )
        body = bytearray()
        truncated = False
        try:
            for chunk in response.iter_content(64 * 1024):
                body += chunk
                if len(body) >= limits.max_bytes:
                    truncated = True
                    del body[limits.max_bytes :]
                    break
                if time.monotonic() > deadline:
                    raise FetchTimeout(f"{url}: took longer than {limits.total_timeout:g}s")
        finally:
            response.close()
    return response, address, bytes(body), truncated


def fetch(url: str, limits: FetchLimits) -> WebPage:
    """Fetch `url`, following at most `max_redirects` redirects; raises FetchError."""
    deadline = time.monotonic() + limits.total_timeout
    seen: list[str] = []
    current = url if "://" in url else f"https://{url}"
    while True:
        if current in seen:
            raise FetchError(f"redirect loop at {current}")
        seen.append(current)
        try:
            response, address, body, truncated = _hop(current, limits, deadline)
        except requests.Timeout as exc:
            raise FetchTimeout(f"{current}: timed out") from exc
        except requests.exceptions.SSLError as exc:
            raise FetchUnreachable(
                f"{current}: TLS certificate problem ({exc.__class__.__name__})"
            ) from exc
        except requests.ConnectionError as exc:
            raise FetchUnreachable(f"{current}: cannot connect ({connect_fault(exc)})") from exc
        location = response.headers.get("Location")
        if response.status_code in REDIRECTS and location:
            if len(seen) > limits.max_redirects:
                raise FetchError(f"more than {limits.max_redirects} redirects")
            current = urljoin(current, location)
            continue
        encoding = response.encoding or "utf-8"
        try:
            text = body.decode(encoding, errors="replace")
        except LookupError:
            text = body.decode("utf-8", errors="replace")
        return WebPage(
            requested_url=url,
            final_url=current,
            status=response.status_code,
            html=text,
            truncated=truncated,
            redirects=seen[1:],
            address=address,
        )


def connect_fault(exc: BaseException) -> str:
    """The socket's own words for a failed connection (connection refused, no route to host),
    found in the chain requests and urllib3 wrap it in; the outer class name otherwise."""
    seen: set[int] = set()
    todo: list[object] = [exc]
    while todo:
        current = todo.pop(0)
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        code = current.errno if isinstance(current, OSError) else None
        if code is not None and code in errno.errorcode:
            return os.strerror(code).lower()
        todo += [current.__cause__, current.__context__, getattr(current, "reason", None)]
        todo += list(current.args)
    return exc.__class__.__name__


def limits_from_env(**policy: Any) -> FetchLimits:
    """FetchLimits from the policy values plus CSFLOWS_ALLOW_PRIVATE_NETWORKS, CSFLOWS_RESOLVE
    and CSFLOWS_CA_BUNDLE."""
    return FetchLimits(
        allow_private=private_networks_allowed(),
        pins=parse_pins(os.environ.get("CSFLOWS_RESOLVE", "")),
        ca_bundle=os.environ.get("CSFLOWS_CA_BUNDLE") or None,
        **policy,
    )


def fetch_page(url: str, limits: FetchLimits) -> WebPage:
    """Like `fetch`, but a site that cannot be fetched is a WebPage with `error` set."""
    try:
        return fetch(url, limits)
    except FetchError as exc:
        return WebPage(requested_url=url, error=str(exc), fault=fault_of(exc))
