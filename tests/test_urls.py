"""Jekyll's URL rules as pure functions: slugify's modes, permalink templates, front
matter defaults. The judge is Jekyll itself (tests/test_jekyll_agrees.py); these
tables hold the rules where Jekyll is not installed, and name the edge cases."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.jekyll.defaults import applied, post_defaults
from bot.jekyll.permalinks import UnknownPlaceholder, UrlParts, expand, site_template
from bot.jekyll.posts import Rejected, read_post
from bot.jekyll.site import Site
from bot.jekyll.slugs import slugify


@pytest.mark.parametrize(
    ("text", "mode", "cased", "slug"),
    [
        ("Hello World!", "default", False, "hello-world"),
        ("have-been-released-", "pretty", True, "have-been-released"),
        ("Ünï Côde Spécial", "default", False, "ünï-côde-spécial"),
        ("a&b+c=d@e(f)~g", "pretty", False, "a&b+c=d@e(f)~g"),
        ("a&b+c=d@e(f)~g", "default", False, "a-b-c-d-e-f-g"),
        ("émoji 🎉 here", "default", False, "émoji-here"),
        ("Été à Paris", "ascii", False, "t-paris"),
        ("Été à Paris, ßtraße", "latin", False, "ete-a-paris-sstrasse"),
        ("Кириллица", "latin", False, ""),  # not Latin: "?" each, then hyphens
        ("  two  spaces ", "raw", False, "two-spaces"),
        ("--dashes--", "raw", False, "-dashes-"),  # one hyphen trimmed at each end
        ("Keep As Is", "none", True, "Keep As Is"),
        ("Keep As Is", "none", False, "keep as is"),
        ("UPPER Case_und", "pretty", True, "UPPER-Case_und"),
        ("two..dots", "pretty", True, "two..dots"),
    ],
)
def test_slugify_in_every_mode(text: str, mode: str, cased: bool, slug: str) -> None:
    assert slugify(text, mode, cased=cased) == slug


PARTS = UrlParts(
    date=dt.datetime(2024, 12, 30, 8, 5, 9, tzinfo=dt.UTC),
    slug="My Post",
    basename="2024-12-30-My Post",
    categories=("World", "Économie", "world"),
    output_ext=".html",
    path="/world/2024-12-30-My Post",
)


@pytest.mark.parametrize(
    ("template", "url"),
    [
        ("/:categories/:year/:month/:day/:title:output_ext", "/world/%C3%A9conomie/2024/12/30/My-Post.html"),
        ("/:slugified_categories/:slug/", "/world/%C3%A9conomie/my-post/"),
        ("/:year/W:week/:short_day/:title:output_ext", "/2024/W01/Mon/My-Post.html"),
        ("/:w_year/:y_day/:i_month/:i_day/:short_year", "/2025/365/12/30/24"),
        ("/:hour/:minute/:second/:long_month/:short_month/:long_day", "/08/05/09/December/Dec/Monday"),
        ("blog/:name", "/blog/2024-12-30-my-post"),
        ("/:title_/", "/My-Post_/"),
        ("/a/../b/./c//:collection/:path", "/a/b/c/posts/world/2024-12-30-My%20Post"),
    ],
)  # fmt: skip
def test_a_template_expands_as_jekyll_does(template: str, url: str) -> None:
    assert expand(template, PARTS) == url


def test_an_unknown_placeholder_is_refused_as_jekyll_refuses_to_build() -> None:
    with pytest.raises(UnknownPlaceholder, match=":titel"):
        expand("/:titel/", PARTS)
    raw = b"---\ntitle: T\npermalink: /:titel/\n---\nLead.\n"
    result = read_post(raw, "_posts/2024-01-01-t.md", Site(url="https://example.org"), 0.0)
    assert isinstance(result, Rejected)
    assert "Jekyll has no :titel" in result.reason


@pytest.mark.parametrize(
    ("config", "template"),
    [
        ({}, "/:categories/:year/:month/:day/:title:output_ext"),
        ({"permalink": "pretty"}, "/:categories/:year/:month/:day/:title/"),
        ({"permalink": "/:title/"}, "/:title/"),
        (
            {"permalink": "pretty", "collections": {"posts": {"permalink": "/p/:title/"}}},
            "/p/:title/",
        ),
        ({"collections": ["posts"]}, "/:categories/:year/:month/:day/:title:output_ext"),
    ],
)
def test_the_sites_template_comes_from_the_collection_else_the_style(
    config: dict[str, object], template: str
) -> None:
    assert site_template(config) == template


def test_front_matter_defaults_apply_by_scope_and_the_post_wins() -> None:
    defaults = post_defaults(
        {
            "defaults": [
                {"scope": {"path": ""}, "values": {"layout": "a", "categories": "x y"}},
                {"scope": {"path": "world", "type": "posts"}, "values": {"layout": "b"}},
                {"scope": {"path": "world"}, "values": {"layout": "c", "published": False}},
                {"scope": {"type": "pages"}, "values": {"layout": "page"}},
                {"scope": {"path": "_posts/2024-*"}, "values": {"slug": "globbed"}},
                "not a mapping",
                {"scope": {"path": ""}},  # no values: Jekyll skips it
            ]
        }
    )
    assert len(defaults) == 4  # the pages one does not apply to posts
    world = applied({"published": None, "categories": ["z"]}, "world/_posts/a.md", defaults)
    # The longer path wins, and of two equal paths the typed one; a null in the
    # post's front matter does not replace a default; categories add up.
    assert world == {"layout": "b", "published": False, "categories": ["x", "y", "z"]}
    assert applied({}, "_posts/2024-01-01-a.md", defaults)["slug"] == "globbed"
    assert "slug" not in applied({}, "_posts/2023-01-01-a.md", defaults)
    assert applied({"layout": "own"}, "other/a.md", defaults)["layout"] == "own"
