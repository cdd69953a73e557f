"""Feature images from hostile URLs: internal addresses in every spelling, redirects
into the network, tricklers, things that are not images. Loopback servers only."""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Iterator

import pytest

from bot.addresses import Allowed, is_public, parse_allowed
from bot.channels.images import ImageFetcher, ImageRefused
from tests.hostile.servers import PNG, Server

MB = 1024 * 1024


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("127.0.0.1", False),
        ("127.1.2.3", False),
        ("0.0.0.0", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("169.254.169.254", False),  # cloud metadata
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4 loopback written as IPv6
        ("::ffff:8.8.8.8", True),
    ],
)
def test_only_public_addresses_are_public(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize(
    ("text", "entries"),
    [
        ("", ()),
        ("images.example.nl", (Allowed(host="images.example.nl"),)),
        (
            "Images.Example.NL.:8080, 10.0.0.0/8",
            (
                Allowed(host="images.example.nl", port=8080),
                Allowed(network=ipaddress.ip_network("10.0.0.0/8")),
            ),
        ),
        ("[::1]:9000", (Allowed(host="::1", port=9000),)),
        ("::1", (Allowed(host="::1"),)),
    ],
)
def test_image_hosts_allow_is_read(text: str, entries: tuple[Allowed, ...]) -> None:
    assert parse_allowed(text) == entries


@pytest.mark.parametrize("text", ["host:port", "a b", "10.0.0.0/33", "host:0", "[nope]:80"])
def test_a_wrong_image_hosts_allow_entry_is_named(text: str) -> None:
    with pytest.raises(ValueError, match="is not a host, host:port or network"):
        parse_allowed(text)


@pytest.fixture
def internal() -> Iterator[Server]:
    """What an attacker wants: a service on the worker's own machine."""
    with Server({"/secret.png": (200, {"Content-Type": "image/png"}, PNG)}).running() as server:
        yield server


@pytest.fixture
def images(internal: Server) -> Iterator[Server]:
    routes = {
        "/photo.png": (200, {"Content-Type": "image/png"}, PNG),
        "/page": (200, {"Content-Type": "text/html"}, b"<html></html>"),
        "/huge.png": (200, {"Content-Type": "image/png"}, b"\0" * (2 * MB)),
        "/slow.png": (200, {"Content-Type": "image/png"}, None),
        "/inside": (302, {"Location": f"{internal.url}/secret.png"}, b""),
        "/loop": (302, {"Location": "/loop"}, b""),
    }
    with Server(routes).running() as server:
        yield server


def fetch(url: str, allowed: str = "", deadline: float = 5.0) -> tuple[bytes, str]:
    async def once() -> tuple[bytes, str]:
        fetcher = ImageFetcher(parse_allowed(allowed), MB, deadline)
        try:
            return await fetcher.fetch(url)
        finally:
            await fetcher.close()

    return asyncio.run(once())


def test_an_allowed_host_serves_its_image(images: Server) -> None:
    assert fetch(f"{images.url}/photo.png", f"127.0.0.1:{images.port}") == (PNG, "image/png")


@pytest.mark.parametrize(
    "spelling",
    [
        "127.0.0.1:{port}",
        "2130706433:{port}",
        "0x7f000001:{port}",
        "127.1:{port}",
        "localhost:{port}",
    ],
)
def test_an_internal_address_is_never_reached_however_it_is_written(
    internal: Server, spelling: str
) -> None:
    url = f"http://{spelling.format(port=internal.port)}/secret.png"
    with pytest.raises(ImageRefused, match="not a public address"):
        fetch(url)
    assert internal.hits == []


def test_the_cloud_metadata_address_is_refused() -> None:
    with pytest.raises(ImageRefused, match=r"169\.254\.169\.254, not a public address"):
        fetch("http://169.254.169.254/latest/meta-data/")


def test_a_redirect_into_the_network_is_refused(images: Server, internal: Server) -> None:
    with pytest.raises(ImageRefused, match="not a public address"):
        fetch(f"{images.url}/inside", f"127.0.0.1:{images.port}")
    assert images.hits == ["/inside"] and internal.hits == []


def test_endless_redirects_end(images: Server) -> None:
    with pytest.raises(ImageRefused, match="more than 5 redirects"):
        fetch(f"{images.url}/loop", f"127.0.0.1:{images.port}")


def test_a_trickling_server_costs_the_deadline_and_no_more(images: Server) -> None:
    started = time.monotonic()
    with pytest.raises(ImageRefused, match="took longer than 1 s"):
        fetch(f"{images.url}/slow.png", f"127.0.0.1:{images.port}", deadline=1.0)
    assert time.monotonic() - started < 3  # not one timeout per byte


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/page", "it is text/html"), ("/huge.png", "larger than"), ("/gone.png", "answered 404")],
)
def test_what_is_not_a_usable_image_is_refused(images: Server, path: str, reason: str) -> None:
    with pytest.raises(ImageRefused, match=reason):
        fetch(f"{images.url}{path}", f"127.0.0.1:{images.port}")


def test_only_http_urls_are_fetched() -> None:
    with pytest.raises(ImageRefused, match="not an http"):
        fetch("file:///etc/passwd")
