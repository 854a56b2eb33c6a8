"""Fetch an image from a caller's URL without letting the URL reach the server's own network (an SSRF guard).

Every hop (the URL and each of at most 3 redirects) is checked the same way: http/https only, no credentials in
the URL, the host name resolved once and every address it resolves to vetted by a policy (by default only
globally routable unicast addresses: no loopback, private, link-local, multicast, reserved, unspecified or CGNAT
ones, also when spelt as decimal/octal/hex IPv4 or embedded in IPv6). The connection then goes to the vetted
address itself, so a second DNS answer cannot swap it (DNS rebinding), with the original Host header and, for
https, the TLS SNI and certificate check for the host name. One timer bounds the whole fetch (DNS, connect, TLS,
headers and body) by shutting the socket down at the deadline, so a server that trickles a byte every few seconds
is cut at the deadline; the size cap holds for Content-Length and while streaming; only image content passes.
Every refusal gives the caller the same message, so the answers reveal nothing about the network.

Standard library (socket, ssl, http.client) rather than httpx: pinning the connection to the vetted address while
keeping Host and SNI needs control of the socket, which http.client gives by overriding ``connect``; httpx only
has per-operation timeouts (no total deadline) and would need its transport internals for the pinning.
"""

from __future__ import annotations

import dataclasses
import http.client
import io
import ipaddress
import logging
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable

from PIL import Image, UnidentifiedImageError

from fashionm3.errors import InvalidInput

log = logging.getLogger(__name__)

FETCH_ERROR = "Could not fetch an image from that URL."
DEADLINE_S = 10.0
MAX_BYTES = 20 * 2**20
MAX_REDIRECTS = 3
MAX_URL_CHARS = 4096
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
IMAGE_FORMATS = ["JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF"]  # what the sniff accepts (no EPS/PDF interpreters)
HEADERS = {"User-Agent": "FashionM3", "Accept": "image/*", "Accept-Encoding": "identity"}
CGNAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Policy = Callable[[Address], bool]


class _Refused(Exception):
    """Why a fetch was refused: logged on the server, never shown to the caller."""


def public_only(address: Address) -> bool:
    """True only for globally routable unicast addresses; IPv4 embedded in IPv6 is judged as that IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # ::ffff:a.b.c.d is that IPv4 address
            return public_only(address.ipv4_mapped)
        embedded = address.sixtofour or (ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in NAT64 else None)
        if embedded is not None and not public_only(embedded):  # 6to4 and NAT64 reach the IPv4 address inside
            return False
    special = (
        address.is_loopback or address.is_private or address.is_link_local or address.is_multicast
        or address.is_reserved or address.is_unspecified
        or (isinstance(address, ipaddress.IPv4Address) and address in CGNAT)
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
    )  # fmt: skip
    return address.is_global and not special


def fetch_image_bytes(
    url: str, *, deadline_s: float = DEADLINE_S, max_bytes: int = MAX_BYTES, policy: Policy = public_only
) -> bytes:
    """The bytes of the image at ``url``, fetched under the rules above (``policy`` vets each resolved address).

    Raises :class:`InvalidInput` with :data:`FETCH_ERROR` for any refusal or failure, whatever the cause.
    """
    deadline = _Deadline(deadline_s)
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            target = _Target.parse(url)
            location, body = _get(target, deadline, max_bytes, policy)
            if location is None:
                _check_image(body)
                return body
            url = urllib.parse.urljoin(url, location)
        raise _Refused(f"more than {MAX_REDIRECTS} redirects")
    except (_Refused, OSError, http.client.HTTPException, ValueError) as error:
        reason = "deadline passed" if deadline.expired else f"{type(error).__name__}: {error}"
        log.info("Image URL refused (%s)", reason[:300])
        raise InvalidInput(FETCH_ERROR) from None
    finally:
        deadline.close()


@dataclasses.dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str

    @classmethod
    def parse(cls, url: str) -> "_Target":
        if len(url) > MAX_URL_CHARS:
            raise _Refused("URL too long")
        parts = urllib.parse.urlsplit(url.strip())
        if parts.scheme not in ("http", "https"):
            raise _Refused(f"scheme {parts.scheme!r}")
        if parts.username is not None or parts.password is not None:
            raise _Refused("credentials in the URL")
        if not parts.hostname:
            raise _Refused("no host")
        port = parts.port or (443 if parts.scheme == "https" else 80)  # a malformed port raises ValueError
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return cls(parts.scheme, parts.hostname, port, path)


class _Deadline:
    """One total deadline: at expiry every socket the fetch opened is shut down, which ends any blocked read."""

    def __init__(self, seconds: float):
        self.expires = time.monotonic() + seconds
        self.expired = False
        self._lock = threading.Lock()
        self._watched: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        left = self.expires - time.monotonic()
        if left <= 0 or self.expired:
            raise _Refused("deadline passed")
        return left

    def watch(self, sock: socket.socket) -> None:
        """Shut ``sock`` down at the deadline (through a duplicate, which stays valid however ``sock`` is wrapped)."""
        with self._lock:
            self._watched.append(sock.dup())
            if self.expired:
                self._shutdown()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            self._shutdown()

    def _shutdown(self) -> None:
        for sock in self._watched:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by the peer or by us

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._watched:
                sock.close()
            self._watched.clear()


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the first vetted address that answers; the Host header (and SNI, below) names the URL's host."""

    addresses: list[str]
    deadline: _Deadline

    def connect(self) -> None:
        for n, address in enumerate(self.addresses):
            try:
                self.sock = socket.create_connection((address, self.port), self.deadline.remaining())
                break
            except OSError:
                if n == len(self.addresses) - 1:
                    raise
        self.deadline.watch(self.sock)


class _PinnedHTTPS(_PinnedHTTP, http.client.HTTPSConnection):
    def connect(self) -> None:
        _PinnedHTTP.connect(self)
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.host)  # SNI + certificate check


def _get(target: _Target, deadline: _Deadline, max_bytes: int, policy: Policy) -> tuple[str | None, bytes]:
    """One GET: ``(redirect location, b"")`` or ``(None, body)``."""
    addresses = _resolve(target, deadline, policy)
    if target.scheme == "https":
        connection: _PinnedHTTP = _PinnedHTTPS(target.host, target.port, context=ssl.create_default_context())
    else:
        connection = _PinnedHTTP(target.host, target.port)
    connection.addresses, connection.deadline = addresses, deadline
    try:
        connection.request("GET", target.path, headers=HEADERS)
        response = connection.getresponse()
        if response.status in REDIRECT_STATUSES:
            location = response.getheader("Location")
            if not location:
                raise _Refused("redirect without a location")
            return location, b""
        if response.status != 200:
            raise _Refused(f"HTTP {response.status}")
        return None, _read_body(response, deadline, max_bytes)
    finally:
        connection.close()


def _resolve(target: _Target, deadline: _Deadline, policy: Policy) -> list[str]:
    """The addresses to connect to, in the resolver's order; refused unless every one of them passes ``policy``."""
    answer: dict[str, object] = {}

    def lookup() -> None:
        try:
            answer["infos"] = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as error:
            answer["error"] = error

    thread = threading.Thread(target=lookup, daemon=True)  # getaddrinfo cannot be interrupted: wait, then leave it
    thread.start()
    thread.join(deadline.remaining())
    infos = answer.get("infos")
    if not isinstance(infos, list) or not infos:
        raise _Refused(f"lookup failed: {answer.get('error', 'timed out')}")
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    refused = [str(address) for address in addresses if not policy(address)]
    if refused:
        raise _Refused(f"address not allowed: {', '.join(refused)}")
    return list(dict.fromkeys(str(address) for address in addresses))


def _read_body(response: http.client.HTTPResponse, deadline: _Deadline, max_bytes: int) -> bytes:
    kind = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
    if kind and not kind.startswith("image/") and kind not in ("application/octet-stream", "binary/octet-stream"):
        raise _Refused(f"content type {kind}")
    length = response.getheader("Content-Length")
    if length and length.strip().isdigit() and int(length) > max_bytes:
        raise _Refused(f"Content-Length {length}")
    chunks, size = [], 0
    while chunk := response.read1(64 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise _Refused(f"body over {max_bytes} bytes")
        chunks.append(chunk)
        deadline.remaining()
    deadline.remaining()  # a socket shut by the deadline reads as a short body: never take that as complete
    return b"".join(chunks)


def _check_image(data: bytes) -> None:
    """Sniff the header only (the full decode and its pixel limit come later, in :mod:`fashionm3.images`)."""
    try:
        with Image.open(io.BytesIO(data), formats=IMAGE_FORMATS):
            return
    except Image.DecompressionBombError:
        return  # an image; the decoder reports that it is too large
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise _Refused("not an image") from error
