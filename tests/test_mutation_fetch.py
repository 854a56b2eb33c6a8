"""The image-URL download path end to end (load_image -> the outbound guard -> a local server), plus guard details
that tests/test_fetch.py leaves open. The local server and the test policy (only 127.0.0.1) come from that file."""

from __future__ import annotations

import http.server
import io
import ipaddress
import logging
import random
import threading
import time
from collections.abc import Iterator

import pytest
from PIL import Image

from fashionm3 import images
from fashionm3.errors import InvalidInput
from fashionm3.security import fetch
from fashionm3.security.fetch import FETCH_ERROR, fetch_image_bytes, public_only
from test_fetch import PNG, Handler, _base, _refused, hits, loopback_only, server  # noqa: F401 (fixtures)


def _encoded(image: Image.Image, kind: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=kind)
    return buffer.getvalue()


NOISE = Image.frombytes("RGB", (200, 200), random.Random(0).randbytes(120_000))
BIG_PNG = _encoded(NOISE, "PNG")  # several 64 KiB reads
ICO = _encoded(Image.new("RGB", (16, 16), "red"), "ICO")  # an image PIL reads, but not one of the accepted formats


class MoreRoutes(Handler):
    """The routes of tests/test_fetch.py plus content types and sizes that test leaves out."""

    def route_octet_params(self, query: dict[str, str]) -> None:
        self.send(200, PNG, kind="application/octet-stream; name=a.png")

    def route_binary_upper(self, query: dict[str, str]) -> None:
        self.send(200, PNG, kind="Binary/Octet-Stream")

    def route_no_type(self, query: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(PNG)))
        self.end_headers()
        self.wfile.write(PNG)

    def route_big_png(self, query: dict[str, str]) -> None:
        self.send(200, BIG_PNG)

    def route_ico(self, query: dict[str, str]) -> None:
        self.send(200, ICO, kind="image/x-icon")

    def route_redirect_nowhere(self, query: dict[str, str]) -> None:
        self.send(302)

    def route_dribble(self, query: dict[str, str]) -> None:
        # no Content-Length, 1 KiB at a time: only the streamed count can stop it
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nConnection: close\r\n\r\n")
        for _ in range(40):
            self.wfile.write(b"\0" * 1024)
            self.wfile.flush()
            time.sleep(0.005)
        self.close_connection = True


@pytest.fixture(scope="module")
def more() -> Iterator[str]:
    running = http.server.ThreadingHTTPServer(("127.0.0.1", 0), MoreRoutes)
    running.daemon_threads, running.hits = True, []  # type: ignore[attr-defined]
    threading.Thread(target=running.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{running.server_address[1]}"
    running.shutdown()


@pytest.mark.parametrize("path", ["/octet-params", "/binary-upper", "/no-type"])
def test_generic_binary_types_and_a_missing_type_are_sniffed_not_refused(more, path):
    assert fetch_image_bytes(f"{more}{path}", policy=loopback_only) == PNG


def test_a_body_of_several_reads_comes_back_whole(more):
    assert len(BIG_PNG) > 64 * 1024
    assert fetch_image_bytes(f"{more}/big-png", policy=loopback_only) == BIG_PNG


def test_only_the_listed_image_formats_pass_the_sniff(more, caplog):
    with caplog.at_level(logging.INFO, logger="fashionm3.security.fetch"):
        assert _refused(f"{more}/ico", policy=loopback_only) == FETCH_ERROR
    assert caplog.records[-1].getMessage() == "Image URL refused (_Refused: not an image)"


def test_each_size_refusal_logs_its_own_reason(server, caplog):
    with caplog.at_level(logging.INFO, logger="fashionm3.security.fetch"):
        _refused(f"{_base(server)}/big-declared", policy=loopback_only, max_bytes=len(PNG) - 1)
        _refused(f"{_base(server)}/big-streamed", policy=loopback_only, max_bytes=32 * 1024)
    assert f"(_Refused: Content-Length {len(PNG)})" in caplog.text  # refused before reading the body
    assert "(_Refused: body over 32768 bytes)" in caplog.text


def test_the_streamed_size_counts_every_chunk(more, caplog):
    assert logged_reason(caplog, f"{more}/dribble", policy=loopback_only, max_bytes=16 * 1024) == (
        "Image URL refused (_Refused: body over 16384 bytes)")


@pytest.mark.parametrize("url, reason", [
    ("ftp://127.0.0.1/a.png", "scheme 'ftp'"),
    ("http://user@127.0.0.1/a.png", "credentials in the URL"),
    ("http://:pw@127.0.0.1/a.png", "credentials in the URL"),
    ("http:///a.png", "no host"),
    ("http://a.test/" + "a" * 4096, "URL too long"),
])
def test_url_refusals_log_their_reason(url, reason, caplog):
    assert logged_reason(caplog, url, policy=loopback_only) == f"Image URL refused (_Refused: {reason})"


def test_the_logged_reason_is_cut_at_300_characters(caplog):
    scheme = "a" * 400
    assert logged_reason(caplog, f"{scheme}://x/y") == f"Image URL refused ({f'_Refused: scheme {scheme!r}'[:300]})"


def test_a_deadline_refusal_is_logged_as_such(server, caplog):
    with caplog.at_level(logging.INFO, logger="fashionm3.security.fetch"):
        _refused(f"{_base(server)}/trickle", policy=loopback_only, deadline_s=0.4)
    assert caplog.records[-1].getMessage() == "Image URL refused (deadline passed)"


@pytest.fixture
def guarded(monkeypatch) -> list[dict[str, object]]:
    """load_image's URL fetches go through the real guard with the test policy; returns the options each got."""
    calls: list[dict[str, object]] = []

    def through_guard(url: str, **options: object) -> bytes:
        calls.append(options)
        return fetch_image_bytes(url, policy=loopback_only, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(images, "fetch_image_bytes", through_guard)
    return calls


def test_an_image_url_is_downloaded_decoded_and_capped_at_20_mb(server, hits, guarded):
    url = f"{_base(server)}/ok.png"
    loaded = images.load_image(f"  {url}  ")
    assert loaded.image.size == (16, 12) and loaded.image.getpixel((3, 3)) == (200, 30, 30)
    assert guarded == [{"max_bytes": 20 * 2**20}] and [path for path, _ in hits] == ["/ok.png"]


def test_a_redirected_image_url_downloads_the_target(server, hits, guarded):
    loaded = images.load_image(f"{_base(server)}/redirect?to=/ok.png")
    assert loaded.image.size == (16, 12) and [path for path, _ in hits] == ["/redirect?to=/ok.png", "/ok.png"]


def test_a_url_that_serves_no_image_gives_the_one_fetch_message(server, guarded):
    for path in ["/page-html", "/fake-png", "/missing"]:
        with pytest.raises(InvalidInput) as error:
            images.load_image(f"{_base(server)}{path}")
        assert str(error.value) == FETCH_ERROR == "Could not fetch an image from that URL."


def test_the_refusal_reason_is_logged_but_not_shown(server, caplog):
    with caplog.at_level(logging.INFO, logger="fashionm3.security.fetch"):
        assert _refused(f"{_base(server)}/missing", policy=loopback_only) == FETCH_ERROR
    assert "Image URL refused (_Refused: HTTP 404)" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="fashionm3.security.fetch"):
        _refused(f"{_base(server)}/page-html", policy=loopback_only)
    assert "content type text/html" in caplog.text


@pytest.mark.parametrize("url", ["http:///ok.png", "http://" + "a" * 4100 + ".test/ok.png"])
def test_urls_without_a_host_or_too_long_are_refused(url, caplog):
    with caplog.at_level(logging.INFO, logger="fashionm3.security.fetch"):
        assert _refused(url, policy=lambda _address: True) == FETCH_ERROR
    assert "no host" in caplog.text or "URL too long" in caplog.text


def test_a_url_at_the_length_limit_is_still_tried(server, hits):
    url = f"{_base(server)}/ok.png?pad="
    url += "a" * (fetch.MAX_URL_CHARS - len(url))
    assert len(url) == fetch.MAX_URL_CHARS and fetch_image_bytes(url, policy=loopback_only) == PNG
    assert _refused(url + "a", policy=loopback_only) == FETCH_ERROR


def test_the_query_string_is_sent_and_the_default_ports_are_the_scheme_ports():
    target = fetch._Target.parse("https://images.test/a/b.png?x=1&y=2")
    assert (target.scheme, target.host, target.port, target.path) == ("https", "images.test", 443, "/a/b.png?x=1&y=2")
    plain = fetch._Target.parse("http://images.test")
    assert plain.port == 80 and plain.path == "/"
    assert fetch._Target.parse("http://images.test:8080/a").port == 8080


def test_requests_ask_for_images_without_compression(server, monkeypatch):
    seen: list[dict[str, str]] = []
    real = fetch.http.client.HTTPConnection.request

    def spy(self, method, url, body=None, headers={}, **kwargs):  # noqa: B006 (http.client's own signature)
        seen.append(dict(headers))
        return real(self, method, url, body, headers, **kwargs)

    monkeypatch.setattr(fetch.http.client.HTTPConnection, "request", spy)
    fetch_image_bytes(f"{_base(server)}/ok.png", policy=loopback_only)
    assert seen == [{"User-Agent": "FashionM3", "Accept": "image/*", "Accept-Encoding": "identity"}]


@pytest.mark.parametrize("address, allowed", [
    ("100.63.255.255", True), ("100.128.0.0", True), ("100.64.0.0", False),
    ("2002:808:808::1", True), ("::ffff:7f00:1", False), ("2001:db8::1", False),
])
def test_public_only_draws_the_lines_exactly(address, allowed):
    assert public_only(ipaddress.ip_address(address)) is allowed


def logged_reason(caplog, url: str, **options: object) -> str:
    """The reason the server logs for refusing ``url`` (the caller sees only FETCH_ERROR)."""
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="fashionm3.security.fetch"):
        assert _refused(url, **options) == FETCH_ERROR
    return caplog.records[-1].getMessage()


def test_redirect_refusals_log_their_reason(server, more, caplog):
    assert logged_reason(caplog, f"{_base(server)}/loop", policy=loopback_only) == (
        "Image URL refused (_Refused: more than 3 redirects)")
    assert logged_reason(caplog, f"{more}/redirect-nowhere", policy=loopback_only) == (
        "Image URL refused (_Refused: redirect without a location)")


def test_lookup_failures_log_their_reason(monkeypatch, caplog):
    answers = {"empty.test": []}

    def lookup(host, *args, **kwargs):
        if host in answers:
            return answers[host]
        if host == "two.test":
            return [(2, 1, 6, "", ("127.0.0.3", 80)), (2, 1, 6, "", ("127.0.0.1", 80))]
        raise fetch.socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(fetch.socket, "getaddrinfo", lookup)
    assert logged_reason(caplog, "http://empty.test/a.png") == "Image URL refused (_Refused: lookup failed: timed out)"
    assert logged_reason(caplog, "http://nowhere.test/a.png") == (
        "Image URL refused (_Refused: lookup failed: [Errno -2] Name or service not known)")
    assert logged_reason(caplog, "http://two.test/a.png") == (
        "Image URL refused (_Refused: address not allowed: 127.0.0.3, 127.0.0.1)")


def test_a_hanging_lookup_is_left_behind_at_the_deadline_in_a_daemon_thread(monkeypatch):
    release, lookups = threading.Event(), []

    def hanging(host, *args, **kwargs):
        lookups.append(threading.current_thread())
        release.wait(5)
        raise fetch.socket.gaierror(-3, "Temporary failure in name resolution")

    monkeypatch.setattr(fetch.socket, "getaddrinfo", hanging)
    began = fetch.time.monotonic()
    try:
        assert _refused("http://slow-dns.test/a.png", deadline_s=0.3) == FETCH_ERROR
        assert fetch.time.monotonic() - began < 1.5
        assert len(lookups) == 1 and lookups[0].daemon and lookups[0].is_alive()  # it cannot block the app's exit
    finally:
        release.set()


def test_connecting_is_bounded_by_what_is_left_of_the_deadline(server, monkeypatch):
    timeouts: list[object] = []
    real = fetch.socket.create_connection

    def spy(address, timeout=None, *args, **kwargs):
        timeouts.append(timeout)
        return real(address, timeout, *args, **kwargs)

    monkeypatch.setattr(fetch.socket, "create_connection", spy)
    fetch_image_bytes(f"{_base(server)}/ok.png", policy=loopback_only, deadline_s=5)
    assert len(timeouts) == 1 and isinstance(timeouts[0], float) and 0 < timeouts[0] <= 5


def test_the_deadline_refuses_once_its_time_is_up_or_it_has_expired():
    deadline = fetch._Deadline(5)
    try:
        assert 4 < deadline.remaining() <= 5
        assert deadline._timer.daemon  # a pending deadline never holds the app open at exit
        deadline.expires = fetch.time.monotonic() - 0.01  # time is up before the timer has fired
        with pytest.raises(fetch._Refused, match="^deadline passed$"):
            deadline.remaining()
    finally:
        deadline.close()
    expired = fetch._Deadline(5)
    try:
        expired._expire()  # the timer fired: refused even with time apparently left
        assert expired.expired is True
        with pytest.raises(fetch._Refused, match="^deadline passed$"):
            expired.remaining()
    finally:
        expired.close()
