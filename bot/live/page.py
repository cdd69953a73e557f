"""Is a post's page on the site yet? One GET, as a link preview would fetch it.

Redirects are followed by hand, and only while they stay on the site
(bot.live.rules.within_site): the check never sends a request to another host. A
redirect off the site, a 4xx or 5xx, a network error or a timeout all mean "not yet".
The answer is in the status line: no byte of the body is read, however big it is.
One deadline covers the whole check, redirects included, even against a server
that trickles its headers.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.live.rules import within_site

if TYPE_CHECKING:
    import httpx

DEADLINE = 10.0  # seconds for one look, redirects included
MAX_REDIRECTS = 5
_HEADERS = {"User-Agent": "postbode (is the page live yet?)", "Accept": "text/html,*/*"}


@dataclass(frozen=True)
class Answer:
    live: bool
    why: str  # what the site answered, for the log and `status`


class Pages:
    """Looks at pages of one site over one connection pool (made when first needed)."""

    def __init__(self, site_url: str | None, *, deadline: float = DEADLINE) -> None:
        self.site_url = site_url
        self.deadline = deadline
        self._client: httpx.AsyncClient | None = None

    async def look(self, url: str) -> Answer:
        """Whether `url` answers 2xx now, and what it answered."""
        import httpx  # here: a worker with nothing waiting for its page never needs it

        try:
            async with asyncio.timeout(self.deadline):
                return await self._follow(url)
        except TimeoutError:
            return Answer(False, f"no answer within {self.deadline:g} s")
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as error:  # IDNA: UnicodeError
            return Answer(False, f"{type(error).__name__}: {error}".rstrip(": "))

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _follow(self, url: str) -> Answer:
        import httpx

        for hop in range(MAX_REDIRECTS + 1):
            if not within_site(url, self.site_url):
                where = "redirected off the site, to" if hop else "not on the site:"
                return Answer(False, f"{where} {url} (not asked)")
            response = await self._pool().send(
                self._pool().build_request("GET", url, headers=_HEADERS), stream=True
            )
            await response.aclose()  # the status line is the answer: the body stays unread
            if response.is_success:
                return Answer(True, f"answered {response.status_code}")
            if not (response.is_redirect and "location" in response.headers):
                return Answer(False, f"answered {response.status_code}")
            url = str(httpx.URL(url).join(response.headers["location"]))
        return Answer(False, f"more than {MAX_REDIRECTS} redirects")

    def _pool(self) -> httpx.AsyncClient:
        import httpx

        if self._client is None:
            # The environment's proxy settings are the operator's egress policy.
            self._client = httpx.AsyncClient(timeout=self.deadline, follow_redirects=False)
        return self._client
