"""The image-URL download path end to end (load_image -> the outbound guard -> a local server), plus guard details
that tests/test_fetch.py leaves open. The local server and the test policy (only 127.0.0.1) come from that file."""

from __future__ import annotations

import ipaddress
import logging

import pytest

from fashionm3 import images
from fashionm3.errors import InvalidInput
from fashionm3.security import fetch
from fashionm3.security.fetch import FETCH_ERROR, fetch_image_bytes, public_only
from test_fetch import PNG, _base, _refused, hits, loopback_only, server  # noqa: F401 (fixtures)


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
    assert fetch._Target.parse("http://images.test").port == 80 and fetch._Target.parse("http://images.test").path == "/"
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
