"""The outbound image fetch guard against a real local HTTP(S) server: loopback in every spelling refused, every
redirect hop vetted, one total deadline, the size cap, image content only, and one error text for every failure."""

from __future__ import annotations

import http.server
import io
import ipaddress
import logging
import shutil
import socket
import ssl
import subprocess
import threading
import time
import types
import urllib.parse
from collections.abc import Iterator

import pytest
from PIL import Image

from conftest import free_port
from fashionm3.config import Settings
from fashionm3.errors import InvalidInput
from fashionm3.images import URLS_OFF, load_image
from fashionm3.security.fetch import FETCH_ERROR, fetch_image_bytes, public_only
from fashionm3.service import FashionM3


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _png()


def loopback_only(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """The test policy: only 127.0.0.1 (the local test server) may be fetched."""
    return str(address) == "127.0.0.1"


class Handler(http.server.BaseHTTPRequestHandler):
    """Routes by path; every request is recorded on the server as (path, Host header)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.hits.append((self.path, self.headers.get("Host")))  # type: ignore[attr-defined]
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        try:
            getattr(self, "route_" + url.path.strip("/").replace("-", "_").replace(".", "_"), self.route_missing)(query)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (which is what several tests want)

    def send(self, status: int, body: bytes = b"", kind: str = "image/png", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def route_ok_png(self, query: dict[str, str]) -> None:
        self.send(200, PNG)

    def route_redirect(self, query: dict[str, str]) -> None:
        self.send(302, Location=query["to"])

    def route_loop(self, query: dict[str, str]) -> None:
        self.send(302, Location="/loop")

    def route_trickle(self, query: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", "100")
        self.end_headers()
        for _ in range(100):  # one byte every 0.3 s: every single read is quick, the whole is 30 s
            self.wfile.write(b"x")
            self.wfile.flush()
            time.sleep(0.3)

    def route_trickle_headers(self, query: dict[str, str]) -> None:
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"y" * 100:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(0.3)

    def route_big_declared(self, query: dict[str, str]) -> None:
        self.send(200, PNG)

    def route_big_streamed(self, query: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Connection", "close")  # no Content-Length: the body ends when the server closes
        self.end_headers()
        for _ in range(64):
            self.wfile.write(b"\0" * 1024)
        self.close_connection = True

    def route_page_html(self, query: dict[str, str]) -> None:
        self.send(200, b"<html><body>not a picture</body></html>", kind="text/html")

    def route_fake_png(self, query: dict[str, str]) -> None:
        self.send(200, b"this text only says it is a PNG" * 10)

    def route_missing(self, query: dict[str, str]) -> None:
        self.send(404, b"no", kind="text/plain")


def _serve(host: str, context: ssl.SSLContext | None = None) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    server.hits = []  # type: ignore[attr-defined]
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def server() -> Iterator[http.server.ThreadingHTTPServer]:
    running = _serve("127.0.0.1")
    yield running
    running.shutdown()


@pytest.fixture
def hits(server) -> list[tuple[str, str]]:
    """The requests the test server receives during this test."""
    server.hits.clear()
    return server.hits


def _base(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def _refused(url: str, **options: object) -> str:
    with pytest.raises(InvalidInput) as caught:
        fetch_image_bytes(url, **options)  # type: ignore[arg-type]
    return str(caught.value)


def test_the_test_policy_fetches_a_real_image_with_the_original_host_header(server, hits):
    assert fetch_image_bytes(f"{_base(server)}/ok.png", policy=loopback_only) == PNG
    assert hits == [("/ok.png", f"127.0.0.1:{server.server_address[1]}")]


LOOPBACK_SPELLINGS = [
    "127.0.0.1", "localhost", "2130706433", "0x7f000001", "017700000001", "127.1", "[::1]", "[::ffff:127.0.0.1]", "0.0.0.0",
]  # fmt: skip


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS)
def test_loopback_in_every_spelling_is_refused_before_connecting(server, hits, host, caplog):
    with caplog.at_level(logging.INFO, logger="fashionm3.security.fetch"):
        message = _refused(f"http://{host}:{server.server_address[1]}/ok.png")
    assert message == FETCH_ERROR
    assert "address not allowed" in caplog.text  # refused by the address check, not by a failed connection
    assert hits == []


@pytest.mark.parametrize(
    "address",
    ["10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1", "100.127.255.254", "224.0.0.1",
     "239.255.255.250", "240.0.0.1", "255.255.255.255", "0.0.0.0", "192.0.2.1", "198.18.0.1", "::", "::1", "fe80::1",
     "fc00::1", "fd12:3456::1", "ff02::1", "fec0::1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:100.64.0.1",
     "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::1", "2002:a00:1::1", "::127.0.0.1"],
)  # fmt: skip
def test_non_public_addresses_are_refused(address):
    assert not public_only(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "151.101.1.69", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address):
    assert public_only(ipaddress.ip_address(address))


def test_redirect_hops_are_vetted_and_counted(server, hits, caplog):
    other = _serve("127.0.0.2")  # another loopback address the test policy does not allow
    try:
        target = f"http://127.0.0.2:{other.server_address[1]}/ok.png"
        with caplog.at_level(logging.INFO, logger="fashionm3.security.fetch"):
            message = _refused(f"{_base(server)}/redirect?to={urllib.parse.quote(target)}", policy=loopback_only)
        assert message == FETCH_ERROR and "127.0.0.2" in caplog.text
        assert [path for path, _ in hits] == [f"/redirect?to={urllib.parse.quote(target)}"] and other.hits == []
    finally:
        other.shutdown()
    hits.clear()
    assert fetch_image_bytes(f"{_base(server)}/redirect?to=/ok.png", policy=loopback_only) == PNG
    hits.clear()
    assert _refused(f"{_base(server)}/loop", policy=loopback_only) == FETCH_ERROR
    assert len(hits) == 4  # the URL and 3 redirects, then it stops


def test_the_vetted_address_is_the_one_connected_to(server, hits, monkeypatch):
    """DNS rebinding: a second lookup would answer 127.0.0.2; there must be none."""
    real, lookups = socket.getaddrinfo, []

    def rebinding(host, *args, **kwargs):
        if host != "rebind.test":
            return real(host, *args, **kwargs)
        lookups.append(host)
        return real("127.0.0.1" if len(lookups) == 1 else "127.0.0.2", *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    port = server.server_address[1]
    assert fetch_image_bytes(f"http://rebind.test:{port}/ok.png", policy=loopback_only) == PNG
    assert lookups == ["rebind.test"] and hits == [("/ok.png", f"rebind.test:{port}")]


def test_the_next_vetted_address_is_tried_when_one_does_not_answer(server, hits, monkeypatch):
    real = socket.getaddrinfo

    def two_addresses(host, port, *args, **kwargs):
        if host != "two.test":
            return real(host, port, *args, **kwargs)
        return real("127.0.0.3", port, *args, **kwargs) + real("127.0.0.1", port, *args, **kwargs)  # .3: nobody listens

    monkeypatch.setattr(socket, "getaddrinfo", two_addresses)
    port = server.server_address[1]
    both = {"127.0.0.1", "127.0.0.3"}
    assert fetch_image_bytes(f"http://two.test:{port}/ok.png", policy=lambda address: str(address) in both) == PNG
    assert _refused(f"http://two.test:{port}/ok.png", policy=loopback_only) == FETCH_ERROR  # one refused: all refused
    assert hits == [("/ok.png", f"two.test:{port}")]


@pytest.mark.parametrize("path", ["/trickle", "/trickle-headers"])
def test_a_trickling_server_is_cut_at_the_total_deadline(server, path):
    began = time.monotonic()
    assert _refused(f"{_base(server)}{path}", policy=loopback_only, deadline_s=1.5) == FETCH_ERROR
    elapsed = time.monotonic() - began
    assert 1.4 <= elapsed < 2.0, elapsed  # each byte arrives within 0.3 s, so only a total deadline stops it


def test_oversize_bodies_are_refused(server):
    assert _refused(f"{_base(server)}/big-declared", policy=loopback_only, max_bytes=len(PNG) - 1) == FETCH_ERROR
    assert fetch_image_bytes(f"{_base(server)}/big-declared", policy=loopback_only, max_bytes=len(PNG)) == PNG
    assert _refused(f"{_base(server)}/big-streamed", policy=loopback_only, max_bytes=32 * 1024) == FETCH_ERROR


def test_every_failure_has_the_same_message(server, monkeypatch):
    closed = free_port()
    real = socket.getaddrinfo

    def no_dns(host, *args, **kwargs):
        if host == "nowhere.test":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    base = _base(server)
    cases = {
        "refused address": (f"{base}/ok.png", {}),
        "closed port": (f"http://127.0.0.1:{closed}/ok.png", {"policy": loopback_only}),
        "timeout": (f"{base}/trickle", {"policy": loopback_only, "deadline_s": 0.5}),
        "dns failure": ("http://nowhere.test/ok.png", {}),
        "html page": (f"{base}/page-html", {"policy": loopback_only}),
        "bytes that only claim to be a PNG": (f"{base}/fake-png", {"policy": loopback_only}),
        "404": (f"{base}/missing", {"policy": loopback_only}),
        "other scheme": ("ftp://127.0.0.1/ok.png", {"policy": loopback_only}),
        "file scheme": ("file:///etc/passwd", {"policy": loopback_only}),
        "credentials": (f"http://user:pw@127.0.0.1:{server.server_address[1]}/ok.png", {"policy": loopback_only}),
        "bad port": ("http://127.0.0.1:99999/ok.png", {"policy": loopback_only}),
        "control characters": (f"{base}/ok.png\r\nX-Injected: 1", {"policy": loopback_only}),
    }
    messages = {name: _refused(url, **options) for name, (url, options) in cases.items()}
    assert set(messages.values()) == {FETCH_ERROR}, messages


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    """A self-signed certificate for ``images.test`` (made with the openssl command line)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
         "-out", cert, "-days", "2", "-subj", "/CN=images.test", "-addext", "subjectAltName=DNS:images.test"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def test_https_keeps_sni_and_the_certificate_check_for_the_host_name(certificate, monkeypatch):
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    names: list[str | None] = []
    context.sni_callback = lambda _socket, name, _context: names.append(name)
    secure = _serve("127.0.0.1", context)
    real_lookup, real_context = socket.getaddrinfo, ssl.create_default_context

    def local(host, *args, **kwargs):  # every *.test name is this machine
        return real_lookup("127.0.0.1" if host.endswith(".test") else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", local)
    monkeypatch.setattr(ssl, "create_default_context", lambda *a, **k: real_context(cafile=cert))
    try:
        port = secure.server_address[1]
        assert fetch_image_bytes(f"https://images.test:{port}/ok.png", policy=loopback_only) == PNG
        assert names == ["images.test"] and secure.hits == [("/ok.png", f"images.test:{port}")]
        assert _refused(f"https://other.test:{port}/ok.png", policy=loopback_only) == FETCH_ERROR  # name mismatch
        assert len(secure.hits) == 1  # the handshake failed: no request was sent
    finally:
        secure.shutdown()


def test_allow_image_urls_0_turns_url_fetching_off(server, hits):
    assert Settings.from_env({}).allow_image_urls is True
    settings = Settings.from_env({"FASHIONM3_ALLOW_IMAGE_URLS": "0"})
    assert settings.allow_image_urls is False
    stub = types.SimpleNamespace(settings=settings, upload_roots=[], public_dirs=lambda: [])
    with pytest.raises(InvalidInput) as caught:
        FashionM3.load_user_image(stub, f"{_base(server)}/ok.png")  # type: ignore[arg-type]
    assert str(caught.value) == URLS_OFF and "FASHIONM3_ALLOW_IMAGE_URLS=0" in URLS_OFF
    with pytest.raises(InvalidInput, match="^Could not fetch an image from that URL.$"):
        load_image(f"{_base(server)}/ok.png")  # on (the default): the guard refuses loopback
    assert hits == []


def test_the_running_app_refuses_loopback_urls_with_one_text_over_mcp(app_url, server, hits):
    """The issue's attack: ``search_catalog(image=<loopback URL>)`` through a real MCP client; an open port and a
    closed one must read the same, and the loopback server must see no request."""
    from test_mcp import run

    port, closed = server.server_address[1], free_port()
    urls = [f"http://{host}:{port}/ok.png" for host in ("127.0.0.1", "localhost", "2130706433", "[::ffff:127.0.0.1]")]
    urls += [f"http://127.0.0.1:{closed}/ok.png", f"{_base(server)}/redirect?to=/ok.png"]

    async def action(session):
        return [await session.call_tool("search_catalog", {"image": url, "k": 3}) for url in urls]

    results = run(app_url, action)
    texts = {" ".join(getattr(part, "text", "") for part in result.content) for result in results}
    assert all(result.isError for result in results) and len(texts) == 1, texts
    assert FETCH_ERROR in texts.pop()
    assert hits == []
