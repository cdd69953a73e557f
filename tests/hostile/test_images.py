"""Feature images from hostile URLs: internal addresses in every spelling, redirects
into the network, tricklers, things that are not images. Loopback servers only."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.addresses import Allowed, is_public, parse_allowed
from bot.channels.images import ImageFetcher, ImageRefused
from tests.conftest import write_post
from tests.fakes.images import PNG, Server
from tests.fakes.mastodon import FakeMastodon
from tests.harness import Publisher

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
        fetcher = ImageFetcher(parse_allowed(allowed), MB, Path("."), deadline=deadline)
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


def test_a_trickling_server_costs_the_deadline_once(images: Server) -> None:
    """One deadline for the whole download, not one per byte; the next image from that
    host is not even asked for, for a while."""

    async def twice() -> None:
        fetcher = ImageFetcher(parse_allowed(f"127.0.0.1:{images.port}"), MB, Path("."), 1.0)
        started = time.monotonic()
        with pytest.raises(ImageRefused, match="took longer than 1 s"):
            await fetcher.fetch(f"{images.url}/slow.png")
        assert time.monotonic() - started < 3
        with pytest.raises(ImageRefused, match="too slow a moment ago"):
            await fetcher.fetch(f"{images.url}/photo.png")
        await fetcher.close()

    asyncio.run(twice())
    assert images.hits == ["/slow.png"]


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/page", "it is text/html"), ("/huge.png", "larger than"), ("/gone.png", "answered 404")],
)
def test_what_is_not_a_usable_image_is_refused(images: Server, path: str, reason: str) -> None:
    with pytest.raises(ImageRefused, match=reason):
        fetch(f"{images.url}{path}", f"127.0.0.1:{images.port}")


@pytest.mark.parametrize(
    "url", ["http://[::1", "http://xn--/a.png", "http://" + "a" * 300 + ".nl/a.png", "http://"]
)
def test_a_malformed_url_is_refused_not_raised(url: str) -> None:
    with pytest.raises(ImageRefused):
        fetch(url)


def test_a_local_image_is_read_as_posts_are(tmp_path: Path) -> None:
    """A FIFO is refused at once, not waited for; a giant is never read whole; a
    path out of the site is refused; a real image is read."""
    (tmp_path / "assets").mkdir()
    os.mkfifo(tmp_path / "assets" / "pipe.png")
    with (tmp_path / "assets" / "huge.png").open("wb") as huge:
        huge.truncate(50 * 1024**3)
    (tmp_path / "assets" / "real.png").write_bytes(PNG)

    async def load(path: str) -> tuple[bytes, str]:
        return await ImageFetcher((), MB, tmp_path).load(None, path)

    with pytest.raises(ImageRefused, match="not a regular file"):
        asyncio.run(load("assets/pipe.png"))
    with pytest.raises(ImageRefused, match="larger than"):
        asyncio.run(load("assets/huge.png"))
    with pytest.raises(ImageRefused, match="outside the site folder"):
        asyncio.run(load("../../etc/passwd"))
    assert asyncio.run(load("assets/real.png")) == (PNG, "image/png")


def test_only_http_urls_are_fetched() -> None:
    with pytest.raises(ImageRefused, match="not an http"):
        fetch("file:///etc/passwd")


def test_through_a_proxy_names_are_the_proxys_and_literal_addresses_are_checked(
    monkeypatch: pytest.MonkeyPatch, internal: Server
) -> None:
    """HTTP_PROXY is the operator's egress: the name goes to it unresolved (.test names
    exist nowhere else); an internal literal address is still refused, the proxy unasked."""
    routes = {"http://images.example.test/photo.png": (200, {"Content-Type": "image/png"}, PNG)}
    with Server(routes).running() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        for name in ("NO_PROXY", "no_proxy", "http_proxy"):
            monkeypatch.delenv(name, raising=False)
        assert fetch("http://images.example.test/photo.png") == (PNG, "image/png")
        with pytest.raises(ImageRefused, match="not a public address"):
            fetch(f"{internal.url}/secret.png")
        assert proxy.hits == ["http://images.example.test/photo.png"] and internal.hits == []


def test_a_post_pointing_at_an_internal_service_goes_out_without_it(
    tmp_path: Path, fake_mastodon: FakeMastodon, internal: Server, images: Server
) -> None:
    """The whole path: the post is published, the internal service never hears of it;
    an allowed image host serves the other post's image."""
    publisher = Publisher.for_fakes(
        tmp_path, None, fake_mastodon, IMAGE_HOSTS_ALLOW=f"127.0.0.1:{images.port}"
    )
    publisher.scan()
    posts = tmp_path / "posts"
    write_post(
        posts,
        "2026-01-01-a.md",
        f'title: Intern\nexterne_link: "https://example.nl/a"\nimage: "{internal.url}/secret.png"',
    )
    write_post(
        posts,
        "2026-01-02-b.md",
        f'title: Extern\nexterne_link: "https://example.nl/b"\nimage: "{images.url}/photo.png"',
    )
    publisher.scan()
    publisher.deliver_until(lambda: len(fake_mastodon.statuses) == 2)
    publisher.close()
    first, second = fake_mastodon.statuses
    assert first.text.startswith("Intern") and first.media_ids == []
    assert second.text.startswith("Extern") and len(second.media_ids) == 1
    assert internal.hits == [] and images.hits == ["/photo.png"]
