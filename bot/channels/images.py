"""Downloading a post's feature image, as a stranger's URL deserves.

Every address the host resolves to is checked (bot.addresses), and the
connection goes to the very address that was checked, so a second DNS answer
cannot differ (TLS still verifies the host's name); each redirect is checked
again. One deadline covers the whole download, so a server trickling a byte
every few seconds costs DEADLINE seconds, never more. It runs in the event
loop, never on the thread that posts statuses.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import httpx

from bot.addresses import Allowed, may_fetch

DEADLINE = 10.0  # seconds for the whole download, redirects included
MAX_REDIRECTS = 5


class ImageRefused(Exception):
    """Not fetched, or not an image: the post goes out without it."""


class ImageFetcher:
    """Downloads images under one policy, over one connection pool (made when first needed:
    loading the certificate store takes a while)."""

    def __init__(
        self, allowed: tuple[Allowed, ...], max_bytes: int, deadline: float = DEADLINE
    ) -> None:
        self.allowed = allowed
        self.max_bytes = max_bytes
        self.deadline = deadline
        self._client: httpx.AsyncClient | None = None

    async def fetch(self, url: str) -> tuple[bytes, str]:
        """The image's bytes and MIME type; ImageRefused says why not."""
        try:
            async with asyncio.timeout(self.deadline):
                return await self._follow(url)
        except TimeoutError:
            raise ImageRefused(f"took longer than {self.deadline:g} s") from None
        except httpx.HTTPError as error:
            raise ImageRefused(f"{type(error).__name__}: {error}") from None

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _follow(self, url: str) -> tuple[bytes, str]:
        for _ in range(MAX_REDIRECTS + 1):
            target = httpx.URL(url)
            request = await _pinned(self._pool(), target, self.allowed)
            response = await self._pool().send(request, stream=True)
            try:
                if response.is_redirect and "location" in response.headers:
                    url = str(target.join(response.headers["location"]))
                    continue
                return await _image(response, self.max_bytes)
            finally:
                await response.aclose()
        raise ImageRefused(f"more than {MAX_REDIRECTS} redirects")

    def _pool(self) -> httpx.AsyncClient:
        if self._client is None:
            # trust_env=False: a proxy from the environment would resolve names itself.
            self._client = httpx.AsyncClient(timeout=self.deadline, trust_env=False)
        return self._client


async def _pinned(
    client: httpx.AsyncClient, url: httpx.URL, allowed: tuple[Allowed, ...]
) -> httpx.Request:
    """A request to the checked address of `url`'s host, its name kept for Host and TLS."""
    if url.scheme not in ("http", "https") or not url.host:
        raise ImageRefused(f"{url} is not an http(s) URL")
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        found = await asyncio.get_running_loop().getaddrinfo(
            url.host, port, type=socket.SOCK_STREAM
        )
    except OSError as error:
        raise ImageRefused(f"{url.host}: {error.strerror or error}") from None
    addresses = [ipaddress.ip_address(info[4][0]) for info in found]
    refused = [a for a in addresses if not may_fetch(url.host, port, a, allowed)]
    if refused or not addresses:
        raise ImageRefused(
            f"{url.host} resolves to {refused[0] if refused else 'nothing'}, not a public"
            " address (IMAGE_HOSTS_ALLOW can admit it)"
        )
    host = url.host if url.port is None else f"{url.host}:{url.port}"
    return client.build_request(
        "GET",
        url.copy_with(host=str(addresses[0])),
        headers={"Host": host, "Accept": "image/*"},
        extensions={"sni_hostname": url.host} if url.scheme == "https" else {},
    )


async def _image(response: httpx.Response, max_bytes: int) -> tuple[bytes, str]:
    if response.status_code != 200:
        raise ImageRefused(f"the server answered {response.status_code}")
    mime = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if not mime.startswith("image/"):
        raise ImageRefused(f"it is {mime or 'not an image'}")
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise ImageRefused(f"it is larger than {max_bytes} bytes")
    data = bytearray()
    async for chunk in response.aiter_bytes():
        data += chunk
        if len(data) > max_bytes:
            raise ImageRefused(f"it is larger than {max_bytes} bytes")
    return bytes(data), mime
