"""The one guarded HTTP fetcher: public addresses only, pinned, bounded.

Every URL that a partner registers is fetched through `fetch()`:

- only ``http`` and ``https``;
- the host is resolved here, and every address it resolves to must be public
  (no loopback, private, link-local, CGNAT, unspecified, multicast, reserved or
  cloud-metadata address, nor an IPv4-mapped, NAT64, 6to4 or Teredo form of
  one); the connection goes to the address that was checked (no second DNS
  lookup that an attacker could answer differently), with the original Host
  header and TLS server name;
- redirects are followed here, a bounded number of times, each target checked
  the same way;
- connect/read timeouts and an overall deadline;
- the body is read as a stream and cut at a size cap, which also bounds the
  decompressed size of gzip/deflate bodies (decompressed incrementally).

A task that fetches many pages from one partner (a harvest) passes a
`FetchSession`: its connections stay open between fetches, one pool for each
checked host name and address, so a connection is reused only for the name
and address it was opened (and its TLS certificate checked) for.

Tests that run their own fake servers on loopback pass ``allow_loopback=True``:
it admits a loopback address for the URL given only, never for a redirect
target, so a loopback server can stand for "a public address that redirects".
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import ssl
import time
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

SCHEMES = {"http": 80, "https": 443}
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024

# Addresses refused even if a future ipaddress release called them global.
METADATA = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
    ipaddress.ip_address("100.100.100.200"),
}
CGNAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = (
    ipaddress.ip_network("64:ff9b::/96"),
    ipaddress.ip_network("64:ff9b:1::/48"),
)
LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))


class FetchError(Exception):
    """A fetch that did not give a usable response; the message is translated."""

    code = "error"

    def __init__(self, message: str, *, url: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.url = url


class FetchRefused(FetchError):
    """The URL (or a redirect target) is not one we fetch: scheme or address."""

    code = "refused"


class FetchTooLarge(FetchError):
    """The body (after decompression) went past the size cap."""

    code = "too-large"


class FetchTimeout(FetchError):
    """The server was too slow to connect, answer or finish."""

    code = "timeout"


@dataclass
class FetchResponse:
    """A complete, size-checked response."""

    url: str
    status: int
    headers: httpx.Headers
    content: bytes
    redirects: list[str] = field(default_factory=list)

    def header(self, name: str) -> str:
        """One header's value, or an empty string."""
        return self.headers.get(name, "")


@dataclass(frozen=True)
class Limits:
    """How long and how much one fetch may take."""

    max_bytes: int
    connect_timeout: float
    read_timeout: float
    total_timeout: float
    max_redirects: int

    @classmethod
    def default(cls) -> Limits:
        """The limits from the settings (FETCH_* environment variables)."""
        return cls(
            max_bytes=settings.FETCH_MAX_BYTES,
            connect_timeout=settings.FETCH_CONNECT_TIMEOUT,
            read_timeout=settings.FETCH_READ_TIMEOUT,
            total_timeout=settings.FETCH_TOTAL_TIMEOUT,
            max_redirects=settings.FETCH_MAX_REDIRECTS,
        )


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if any(address in network for network in NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def _is_loopback(address: IPAddress) -> bool:
    return any(
        address in network for network in LOOPBACK if network.version == address.version
    )


def address_refusal(address: IPAddress, *, allow_loopback: bool = False) -> str:
    """Why an address may not be fetched, or "" when it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            reason = address_refusal(embedded, allow_loopback=allow_loopback)
            if reason or address.ipv4_mapped is not None:
                return reason
            if any(address in network for network in NAT64):
                # A public IPv4 address reached through a NAT64 gateway.
                return ""
    if allow_loopback and _is_loopback(address):
        return ""
    if address in METADATA:
        return "metadata"
    if address.is_loopback:
        return "loopback"
    if address.is_unspecified:
        return "unspecified"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if isinstance(address, ipaddress.IPv4Address) and address in CGNAT:
        return "shared (CGNAT)"
    if address.is_private:
        return "private"
    if address.is_reserved:
        return "reserved"
    if not address.is_global:
        return "not global"
    return ""


def _literal_address(host: str) -> IPAddress | None:
    """The address a host names literally, in any form a resolver accepts.

    ``127.1``, ``2130706433``, ``0x7f000001`` and ``0177.0.0.1`` are all
    127.0.0.1 to inet_aton; they are read that way here so that no form of an
    address slips past as a "name".
    """
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        packed = socket.inet_aton(host)
    except (OSError, UnicodeError):
        return None
    return ipaddress.IPv4Address(packed)


def resolve(host: str, port: int, *, allow_loopback: bool = False) -> IPAddress:
    """The one checked address to connect to for ``host``, or FetchRefused.

    Every address the name resolves to must be acceptable: a name with one
    public and one private record is refused rather than raced.
    """
    literal = _literal_address(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as error:
            raise FetchError(
                _("The host name “%(host)s” could not be resolved.") % {"host": host}
            ) from error
        addresses = []
        for info in infos:
            address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise FetchError(
                _("The host name “%(host)s” could not be resolved.") % {"host": host}
            )
    for address in addresses:
        reason = address_refusal(address, allow_loopback=allow_loopback)
        if reason:
            raise FetchRefused(
                _(
                    "“%(host)s” is not a public address (%(reason)s); "
                    "only public addresses are fetched."
                )
                % {"host": host, "reason": reason}
            )
    chosen = addresses[0]
    if isinstance(chosen, ipaddress.IPv6Address) and chosen.ipv4_mapped is not None:
        chosen = chosen.ipv4_mapped
    return chosen


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect and what to say to the server."""

    url: str
    scheme: str
    host: str
    port: int
    address: IPAddress
    path: str

    @property
    def host_header(self) -> str:
        """The Host header: the name as given, with a non-default port."""
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == SCHEMES[self.scheme] else f"{name}:{self.port}"

    @property
    def pinned_url(self) -> httpx.URL:
        """The URL with the checked address in place of the name."""
        return httpx.URL(
            scheme=self.scheme, host=str(self.address), port=self.port
        ).join(self.path)


def check_url(url: str, *, allow_loopback: bool = False) -> Target:
    """Check a URL's scheme and host; return where to connect, or FetchRefused."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise FetchRefused(
            _("“%(url)s” is not a valid URL.") % {"url": url[:200]}
        ) from error
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise FetchRefused(
            _("Only http and https URLs are fetched, not “%(scheme)s:”.")
            % {"scheme": scheme[:20]},
            url=url,
        )
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchRefused(_("“%(url)s” names no host.") % {"url": url[:200]}, url=url)
    if parts.username or parts.password:
        raise FetchRefused(
            _("URLs with a user name or password are not fetched."), url=url
        )
    port = port or SCHEMES[scheme]
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError as error:
        raise FetchRefused(
            _("“%(host)s” is not a valid host name.") % {"host": host[:100]}, url=url
        ) from error
    address = resolve(host, port, allow_loopback=allow_loopback)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(
        url=url, scheme=scheme, host=host, port=port, address=address, path=path
    )


_SSL_CONTEXT: ssl.SSLContext | None = None


def _ssl_context() -> ssl.SSLContext:
    global _SSL_CONTEXT
    if _SSL_CONTEXT is None:
        _SSL_CONTEXT = ssl.create_default_context()
    return _SSL_CONTEXT


class _Decoder:
    """Incremental gzip/deflate decoding that never produces more than a cap."""

    def __init__(self, encoding: str, cap: int) -> None:
        self.cap = cap
        self.size = 0
        encoding = encoding.strip().lower()
        if encoding in ("", "identity"):
            self.inflater = None
        elif encoding in ("gzip", "x-gzip"):
            self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self.inflater = zlib.decompressobj()
        else:
            raise FetchError(
                _("The server used a content encoding we did not ask for (%(enc)s).")
                % {"enc": encoding[:40]}
            )

    def _count(self, data: bytes) -> bytes:
        self.size += len(data)
        if self.size > self.cap:
            raise FetchTooLarge(
                _("The response is larger than %(cap)s bytes; it was not read further.")
                % {"cap": self.cap}
            )
        return data

    def feed(self, chunk: bytes) -> list[bytes]:
        if self.inflater is None:
            return [self._count(chunk)]
        out = []
        data = chunk
        while data:
            try:
                piece = self.inflater.decompress(data, CHUNK)
            except zlib.error as error:
                raise FetchError(_("The compressed response is corrupt.")) from error
            out.append(self._count(piece))
            data = self.inflater.unconsumed_tail
        return out

    def finish(self) -> list[bytes]:
        if self.inflater is None:
            return []
        try:
            return [self._count(self.inflater.flush(CHUNK))]
        except zlib.error as error:
            raise FetchError(_("The compressed response is corrupt.")) from error


def _read_body(response: httpx.Response, *, limits: Limits, deadline: float) -> bytes:
    length = response.headers.get("content-length", "")
    encoding = response.headers.get("content-encoding", "")
    if length.isdigit() and not encoding and int(length) > limits.max_bytes:
        raise FetchTooLarge(
            _("The response is larger than %(cap)s bytes; it was not read further.")
            % {"cap": limits.max_bytes}
        )
    decoder = _Decoder(encoding, limits.max_bytes)
    parts: list[bytes] = []
    for chunk in response.iter_raw():
        parts.extend(decoder.feed(chunk))
        if time.monotonic() > deadline:
            raise FetchTimeout(_("The server took too long to send the response."))
    parts.extend(decoder.finish())
    return b"".join(parts)


class FetchSession:
    """Connections kept open across the fetches of one task (a harvest's pages).

    One pool of connections per checked target: scheme, host name, port and
    the address the name resolved to. Each fetch still resolves and checks
    its URL first; a connection opened for one name or address never carries
    a request for another. Close it (or use it as a context manager) when the
    task ends.
    """

    def __init__(self) -> None:
        self._transports: dict[tuple, httpx.HTTPTransport] = {}

    def transport(self, target: Target) -> httpx.HTTPTransport:
        """The open pool for this target, made on first use."""
        key = (target.scheme, target.host, target.port, target.address)
        transport = self._transports.get(key)
        if transport is None:
            # The transport alone: no redirect handling, proxies or cookies
            # of a client.
            transport = httpx.HTTPTransport(verify=_ssl_context(), trust_env=False)
            self._transports[key] = transport
        return transport

    def close(self) -> None:
        """Close every connection."""
        transports, self._transports = self._transports, {}
        for transport in transports.values():
            transport.close()

    def __enter__(self) -> FetchSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _one(
    target: Target,
    *,
    headers: dict[str, str],
    limits: Limits,
    deadline: float,
    transport: httpx.HTTPTransport,
) -> tuple[int, httpx.Headers, bytes]:
    remaining = max(0.1, deadline - time.monotonic())
    timeout = httpx.Timeout(
        min(limits.read_timeout, remaining),
        connect=min(limits.connect_timeout, remaining),
    )
    request_headers = {
        "Host": target.host_header,
        "User-Agent": settings.FETCH_USER_AGENT,
        "Accept-Encoding": "gzip, deflate",
        **headers,
    }
    extensions: dict = {"timeout": timeout.as_dict()}
    if target.scheme == "https":
        extensions["sni_hostname"] = target.host
    request = httpx.Request(
        "GET", target.pinned_url, headers=request_headers, extensions=extensions
    )
    # A response closed before its end (a redirect, a body past the cap)
    # closes its connection; one read to the end goes back to the pool.
    response = transport.handle_request(request)
    try:
        if response.status_code in REDIRECT_STATUSES:
            return response.status_code, response.headers, b""
        body = _read_body(response, limits=limits, deadline=deadline)
    finally:
        response.close()
    return response.status_code, response.headers, body


def fetch(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    allow_loopback: bool = False,
    limits: Limits | None = None,
    session: FetchSession | None = None,
) -> FetchResponse:
    """GET a URL through the guard; return the final response of any status.

    Raises FetchRefused for a scheme or an address we do not fetch (also as a
    redirect target), FetchTooLarge past the size cap, FetchTimeout, and
    FetchError for any other failure; each carries a translated message.
    ``allow_loopback`` admits a loopback address for ``url`` itself only.
    With a ``session``, connections stay open for the session's next fetches;
    without one, each fetch opens and closes its own.
    """
    if session is None:
        with FetchSession() as own:
            return fetch(
                url,
                headers=headers,
                allow_loopback=allow_loopback,
                limits=limits,
                session=own,
            )
    limits = limits or Limits.default()
    deadline = time.monotonic() + limits.total_timeout
    current = url
    redirects: list[str] = []
    loopback = allow_loopback
    while True:
        target = check_url(current, allow_loopback=loopback)
        try:
            status, response_headers, body = _one(
                target,
                headers=dict(headers or {}),
                limits=limits,
                deadline=deadline,
                transport=session.transport(target),
            )
        except FetchError as error:
            error.url = error.url or current
            raise
        except httpx.TimeoutException as error:
            raise FetchTimeout(
                _("The server at “%(host)s” did not answer in time.")
                % {"host": target.host},
                url=current,
            ) from error
        except (httpx.HTTPError, ssl.SSLError, OSError) as error:
            raise FetchError(
                _("Could not fetch “%(url)s”: %(error)s")
                % {"url": current[:200], "error": type(error).__name__},
                url=current,
            ) from error
        if status not in REDIRECT_STATUSES:
            return FetchResponse(
                url=current,
                status=status,
                headers=response_headers,
                content=body,
                redirects=redirects,
            )
        location = response_headers.get("location", "")
        if not location:
            raise FetchError(_("A redirect without a Location header."), url=current)
        if len(redirects) >= limits.max_redirects:
            raise FetchError(
                _("More than %(count)s redirects.") % {"count": limits.max_redirects},
                url=current,
            )
        current = urljoin(current, location)
        redirects.append(current)
        # The allowance is for the URL the caller gave, never for a redirect.
        loopback = False
        logger.info("core.fetch.redirect", extra={"to": current[:300]})
