"""SPEC §12, the look at a post's page: one GET against a loopback site, every branch
of its answer (2xx, 404, redirects on and off the site, a huge body, a slow server,
no server at all)."""

from __future__ import annotations

import asyncio
import socket

from bot.live.page import MAX_REDIRECTS, Answer, Pages
from tests.fakes.site import FakeSite


def look(site_url: str, url: str, deadline: float = 5.0) -> Answer:
    async def main() -> Answer:
        pages = Pages(site_url, deadline=deadline)
        try:
            return await pages.look(url)
        finally:
            await pages.close()

    return asyncio.run(main())


def test_a_deployed_page_is_live(fake_site: FakeSite) -> None:
    """A page that answers 200 is live."""
    fake_site.deploy("/storm/")
    assert look(fake_site.url, fake_site.url + "/storm/") == Answer(True, "answered 200")


def test_a_page_not_built_yet_is_not_live(fake_site: FakeSite) -> None:
    """404 (the build is running) and 5xx (the host is in trouble) both mean "not yet"."""
    fake_site.deploy("/kapot/", status=503)
    assert look(fake_site.url, fake_site.url + "/storm/") == Answer(False, "answered 404")
    assert look(fake_site.url, fake_site.url + "/kapot/") == Answer(False, "answered 503")


def test_a_redirect_within_the_site_is_followed(fake_site: FakeSite) -> None:
    """jekyll-redirect-from, a trailing slash: a redirect on the site leads to the page."""
    fake_site.redirect("/storm", "/storm/")  # relative, as servers often send it
    fake_site.redirect("/oud/", fake_site.url + "/storm", status=302)
    fake_site.deploy("/storm/")
    assert look(fake_site.url, fake_site.url + "/oud/") == Answer(True, "answered 200")
    assert fake_site.hits == ["/oud/", "/storm", "/storm/"]


def test_a_redirect_off_the_site_is_not_followed(fake_site: FakeSite) -> None:
    """A redirect to another host is "not live yet", and that host is never asked."""
    with FakeSite().running() as elsewhere:
        elsewhere.deploy("/storm/")
        fake_site.redirect("/storm/", elsewhere.url + "/storm/")
        answer = look(fake_site.url, fake_site.url + "/storm/")
        assert answer == Answer(
            False, f"redirected off the site, to {elsewhere.url}/storm/ (not asked)"
        )
        assert elsewhere.hits == []


def test_a_page_not_on_the_site_is_never_asked(fake_site: FakeSite) -> None:
    """The check sends no request to a host that is not SITE_URL's."""
    answer = look("https://krant.nl", fake_site.url + "/storm/")
    assert answer == Answer(False, f"not on the site: {fake_site.url}/storm/ (not asked)")
    assert fake_site.hits == []


def test_a_redirect_loop_ends(fake_site: FakeSite) -> None:
    """A page that redirects to itself is asked a few times, then it is "not yet"."""
    fake_site.redirect("/rond/", "/rond/")
    answer = look(fake_site.url, fake_site.url + "/rond/")
    assert answer == Answer(False, f"more than {MAX_REDIRECTS} redirects")
    assert fake_site.hits == ["/rond/"] * (MAX_REDIRECTS + 1)


def test_a_huge_page_is_not_downloaded(fake_site: FakeSite) -> None:
    """The status line is the answer: of a 1 GiB page, at most what the socket buffers
    hold is ever sent before the check hangs up."""
    size = 1 << 30
    fake_site.huge("/groot/", size)
    assert look(fake_site.url, fake_site.url + "/groot/") == Answer(True, "answered 200")
    fake_site.wait_for_hits("/groot/", 1)
    assert fake_site.sent.get("/groot/", 0) < 64 << 20


def test_a_slow_server_runs_out_the_deadline(fake_site: FakeSite) -> None:
    """A server that never answers costs one deadline, then the page is "not yet"."""
    fake_site.hold("/traag/")
    answer = look(fake_site.url, fake_site.url + "/traag/", deadline=1.0)
    assert answer == Answer(False, "no answer within 1 s")
    fake_site.wait_for_hits("/traag/", 1)


def test_no_server_at_all_is_not_live() -> None:
    """A site that is down (connection refused) is "not yet", not an error."""
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{free.getsockname()[1]}"
    answer = look(url, url + "/storm/")
    assert not answer.live and answer.why.startswith("ConnectError")
