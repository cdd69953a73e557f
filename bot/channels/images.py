"""Downloading a post's feature image, as a stranger's URL deserves.

Every address the host resolves to is checked (bot.addresses), and the
connection goes to the very address that was checked, so a second DNS answer
cannot differ (TLS still verifies the host's name); each redirect is checked
again. Through a proxy (HTTP(S)_PROXY), the proxy resolves names, so only
literal addresses are checked here. One deadline covers the whole download, so a server trickling a byte
every few seconds costs DEADLINE seconds, never more. It runs in the event
loop, never on the thread that posts statuses.
"""

from __future__ import annotations

import asyncio
import ipaddress
import mimetypes
import socket
import time
import urllib.request
from pathlib import Path

import httpx

from bot.addresses import Allowed, may_fetch
from bot.folder.settle import NotRegular, read_complete

DEADLINE = 10.0  # seconds for the whole download, redirects included
MAX_REDIRECTS = 5
# A host that ran out the deadline is not asked again for this long: a trickling server
# costs one post DEADLINE seconds, not every post with an image from it.
SLOW_HOST_PAUSE = 600.0


class ImageRefused(Exception):
    """Not fetched, or not an image: the post goes out without it."""


class ImageFetcher:
    """A post's image from the site's folder or the web, under one policy, over one
    connection pool (made when first needed: loading the certificate store takes a while)."""

    def __init__(
        self,
        allowed: tuple[Allowed, ...],
        max_bytes: int,
        site_root: Path,
        deadline: float = DEADLINE,
    ) -> None:
        self.allowed = allowed
        self.max_bytes = max_bytes
        self.site_root = site_root.resolve()
        self.deadline = deadline
        self._clients: dict[str | None, httpx.AsyncClient] = {}  # by proxy (None: direct)
        self._slow: dict[str, float] = {}  # host -> monotonic time it may be asked again

    async def load(self, url: str | None, path: str | None) -> tuple[bytes, str]:
        """The image a post names: a file in the site (`path`) or a URL."""
        if path:
            return await asyncio.to_thread(self._read_local, path)
        if url:
            return await self.fetch(url)
        raise ImageRefused("the post has no image")

    def _read_local(self, relative: str) -> tuple[bytes, str]:
        file = (self.site_root / relative).resolve()
        if not file.is_relative_to(self.site_root):
            raise ImageRefused(f"image {relative!r} is outside the site folder")
        try:  # as posts are read: a regular file only, never waited for, never all of it
            read = read_complete(file, self.max_bytes, follow_symlinks=True)
        except NotRegular:
            raise ImageRefused(f"image {relative!r} is not a regular file") from None
        except OSError as error:
            raise ImageRefused(f"image {relative!r}: {error.strerror or error}") from None
        if read is None:
            raise ImageRefused(f"image {relative!r} is still being written")
        data = read[0]
        if len(data) > self.max_bytes:
            raise ImageRefused(f"image is larger than {self.max_bytes} bytes")
        return data, mimetypes.guess_type(file.name)[0] or "application/octet-stream"

    async def fetch(self, url: str) -> tuple[bytes, str]:
        """The image's bytes and MIME type; ImageRefused says why not."""
        try:
            host = httpx.URL(url).host
        except (httpx.InvalidURL, ValueError) as error:
            raise ImageRefused(f"not a usable URL: {error}") from None
        if self._slow.get(host, 0.0) > time.monotonic():
            raise ImageRefused(f"{host} was too slow a moment ago")
        try:
            async with asyncio.timeout(self.deadline):
                return await self._follow(url)
        except TimeoutError:
            self._slow[host] = time.monotonic() + SLOW_HOST_PAUSE
            raise ImageRefused(f"took longer than {self.deadline:g} s") from None
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as error:  # IDNA: UnicodeError
            raise ImageRefused(f"{type(error).__name__}: {error}") from None

    async def close(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()

    async def _follow(self, url: str) -> tuple[bytes, str]:
        for _ in range(MAX_REDIRECTS + 1):
            target = httpx.URL(url)
            if target.scheme not in ("http", "https") or not target.host:
                raise ImageRefused(f"{target} is not an http(s) URL")
            proxy = _proxy_for(target)
            client = self._pool(proxy)
            if proxy is None:
                request = await _pinned(client, target, self.allowed)
            else:  # the proxy resolves the name: only a literal address can be checked here
                _check_literal(target, self.allowed)
                request = client.build_request("GET", target, headers={"Accept": "image/*"})
            response = await client.send(request, stream=True)
            try:
                if response.is_redirect and "location" in response.headers:
                    url = str(target.join(response.headers["location"]))
                    continue
                return await _image(response, self.max_bytes)
            finally:
                await response.aclose()
        raise ImageRefused(f"more than {MAX_REDIRECTS} redirects")

    def _pool(self, proxy: str | None) -> httpx.AsyncClient:
        if proxy not in self._clients:
            # trust_env=False: the proxy, if any, is chosen per URL by _proxy_for.
            self._clients[proxy] = httpx.AsyncClient(
                timeout=self.deadline, trust_env=False, proxy=proxy
            )
        return self._clients[proxy]


def _proxy_for(url: httpx.URL) -> str | None:
    """The proxy HTTP(S)_PROXY / NO_PROXY name for this URL: an operator's egress policy
    is theirs to keep."""
    proxy = urllib.request.getproxies().get(url.scheme)
    return None if not proxy or urllib.request.proxy_bypass(url.host) else proxy


def _check_literal(url: httpx.URL, allowed: tuple[Allowed, ...]) -> None:
    try:
        address = ipaddress.ip_address(url.host)
    except ValueError:
        return
    if not may_fetch(url.host, url.port or 0, address, allowed):
        raise ImageRefused(f"{url.host} is not a public address (IMAGE_HOSTS_ALLOW can admit it)")


async def _pinned(
    client: httpx.AsyncClient, url: httpx.URL, allowed: tuple[Allowed, ...]
) -> httpx.Request:
    """A request to the checked address of `url`'s host, its name kept for Host and TLS."""
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
