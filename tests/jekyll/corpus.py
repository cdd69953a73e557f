"""Post files and site settings that the differential test gives to Jekyll and to
postbode: every permalink placeholder and style, date form, category shape, time zone
and baseurl that sites use, and the odd file names Jekyll's slug rules exist for."""

from __future__ import annotations

from typing import Any

# Each site reads every post. The zones are chosen so that a post's day differs
# between them (a zone-less date late in the evening or early in the morning).
SITES: dict[str, dict[str, Any]] = {
    "date": {"url": "https://example.org", "timezone": "Europe/Amsterdam"},
    "pretty": {
        "url": "https://example.org/",
        "baseurl": "/news",
        "permalink": "pretty",
        "timezone": "America/New_York",
    },
    "ordinal": {"url": "https://example.org", "baseurl": "/blog/", "permalink": "ordinal",
                "timezone": "Asia/Tokyo"},
    "weekdate": {"url": "https://example.org", "permalink": "weekdate",
                 "timezone": "Pacific/Auckland"},
    "none": {"url": "http://example.org:8080", "permalink": "none", "timezone": "UTC"},
    "placeholders": {
        "url": "https://example.org",
        "timezone": "Europe/Amsterdam",
        "permalink": "/:year/:short_year/:month/:i_month/:day/:i_day/:y_day/:hour:minute:second"
        "/:week/:w_year/:w_day/:short_day/:long_day/:short_month/:long_month"
        "/:slugified_categories/:categories/:name/:slug/:title_/:title:output_ext",
    },
    "collection": {
        "url": "https://example.org",
        "timezone": "Europe/Amsterdam",
        "permalink": "pretty",  # the posts collection's own permalink wins
        "collections": {"posts": {"output": True, "permalink": "/articles/:categories/:title/"}},
    },
    "defaults": {
        "url": "https://example.org",
        "timezone": "Europe/Amsterdam",
        "defaults": [
            {"scope": {"path": "", "type": "posts"},
             "values": {"permalink": "/d/:categories/:title/", "categories": ["Default"]}},
            {"scope": {"path": "world"}, "values": {"category": "Wereld", "published": True}},
            {"scope": {"path": "_posts/sub", "type": "posts"},
             "values": {"permalink": "/sub/:title:output_ext"}},
            {"scope": {"path": "_posts/2024-06-1*"}, "values": {"slug": "From a glob"}},
            {"scope": {"path": "", "type": "post"}, "values": {"tags": ["old type name"]}},
            {"scope": {"type": "pages"}, "values": {"permalink": "/pages/:title/"}},
            {"scope": {"path": "/_posts"}, "values": {"published": False}},  # never matches
        ],
    },
}  # fmt: skip


def _post(front: str, body: str = "The lead paragraph.\n") -> bytes:
    return f"---\n{front}\n---\n\n{body}".encode()


POSTS: dict[str, bytes] = {
    # :title is the file's slug in the "pretty" mode, cased; a trailing hyphen goes.
    "_posts/2024-10-31-have-been-released-.markdown": _post(
        "title: Version 2 has been released\ndate: 2024-10-31 01:40:00"  # a YAML timestamp
    ),
    "_posts/2024-01-01-Hello World!.md": _post("title: Hello"),
    "_posts/2024-07-03-UPPER Case_und.md": _post("title: Upper"),
    "_posts/2024-07-04-émoji-🎉-ünïcode.md": _post("title: Unicode"),
    "_posts/2024-07-05-symbols-a&b+c=d@e(f)~g,h;i'j$k.md": _post("title: Symbols"),
    "_posts/2024-07-06-percent-100%-sure.md": _post("title: Percent"),
    "_posts/2024-07-02-trailing-dots...md": _post("title: Dots"),
    "_posts/2024-07-14-two..dots.in.the...middle.md": _post("title: Middle dots"),
    "_posts/2024-7-5-single-digits.md": _post("title: Single digits"),
    "_posts/2024-07-11-slug-in-front-matter.md": _post("title: Slug\nslug: Custom Slug Ünï"),
    "_posts/2024-07-12-numeric-slug.md": _post("title: Numeric slug\nslug: '2024'"),
    # Categories: folders first, then `categories` (split when a string), then `category`.
    "world/_posts/2024-02-29-leap-day.md": _post(
        "title: Leap\ncategories: [Économie, Foo Bar]\ncategory: Sport"
    ),
    "world/europe/_posts/2024-03-31-dst-night.md": _post(
        "title: DST\ncategories: a b  c\ndate: '2024-03-31 02:30'"  # no such hour here
    ),
    "my news/_posts/2024-04-01-space-folder.md": _post("title: Space folder"),
    "_posts/2024-07-07-numeric-categories.md": _post(
        "title: Numbers\ncategories: [2024, 7]\ncategory: 3.5"
    ),
    "_posts/2024-07-08-duplicate-categories.md": _post(
        "title: Duplicates\ncategories: [News, news, NEWS, News]"
    ),
    "_posts/2024-08-02-string-categories.md": _post(
        "title: Strings\ncategories: Alpha Beta\ncategory: Gamma Delta"
    ),
    "_posts/2024-08-06-null-category.md": _post("title: Null\ncategories: [One, null, Two]"),
    "_posts/sub/2024-08-03-below-posts.md": _post("title: Below _posts"),  # no category
    # Dates: a front matter date wins over the file name, in every form sites use.
    "_posts/2024-12-31-new-year.html": _post(
        "title: New year\ndate: 2024-12-31 23:30:00 +0100", "<p>Lead.</p>\n"
    ),
    "_posts/2024-06-15-page.htm": _post("title: HTM", "<p>Lead.</p>\n"),
    "_posts/2019-05-14-rfc.md": _post("title: RFC 2822\ndate: Tue, 14 May 2019 20:57:25 +0200"),
    "_posts/2021-09-03-date-command.md": _post(
        "title: date command\ndate: Fri Sep  3 11:21:31 CEST 2021"
    ),
    "_posts/2021-09-04-date-command-jst.md": _post(
        "title: date command\ndate: Sat Sep  4 08:00:00 JST 2021"
    ),
    "_posts/2021-09-05-date-command-pdt.md": _post(
        "title: date command\ndate: Sun Sep  5 23:00:00 PDT 2021"
    ),
    "_posts/2021-09-06-rfc-gmt.md": _post("title: RFC GMT\ndate: Mon, 06 Sep 2021 23:30:00 GMT"),
    "_posts/2024-06-23-quoted.md": _post("title: Quoted\ndate: '2024-06-23T23:10:00'"),
    "_posts/2024-06-24-date-only.md": _post("title: Date only\ndate: 2024-06-25"),
    "_posts/2024-06-26-no-seconds.md": _post("title: No seconds\ndate: 2024-06-26 23:59"),
    "_posts/2024-06-27-zulu.md": _post("title: Zulu\ndate: 2024-06-27T23:30:00Z"),
    "_posts/2024-06-28-offset.md": _post("title: Offset\ndate: 2024-06-28 23:30:00 -05:00"),
    "_posts/2024-08-05-fraction.md": _post("title: Fraction\ndate: 2024-08-05 22:00:00.5 +02:00"),
    "_posts/2024-12-30-iso-week.md": _post("title: ISO week\ndate: 2024-12-30 08:00:00 +0000"),
    "_posts/2099-01-01-future.md": _post("title: Future"),
    # Titles: from the file name when there is none.
    "_posts/2024-07-01-untitled-post.md": _post("date: 2024-07-01 12:00:00 +0200"),
    "_posts/2024-08-01-no-title.md": _post("title: ''\nlayout: post"),
    "_posts/2024-08-08-null-title.md": _post("title:\nlayout: post"),
    "_posts/2024-08-07-title-false.md": _post("title: false"),
    "_posts/2024-07-13-number-title.md": _post("title: 2024"),
    # published: only false or empty means unpublished; the string "false" is text.
    "_posts/2024-06-18-unpublished.md": _post("title: Unpublished\npublished: false"),
    "_posts/2024-06-19-empty-published.md": _post("title: Empty published\npublished:"),
    "world/_posts/2024-06-19-empty-published.md": _post("title: Empty\npublished:"),
    "_posts/2024-06-20-published-text.md": _post("title: Text\npublished: 'false'"),
    "_posts/2024-06-21-published-no.md": _post("title: No\npublished: no"),
    # postbode's own rules (the README names them): not announced.
    "_posts/2024-06-22-draft.md": _post("title: Draft\ndraft: true"),
    "_posts/2024-06-22-hidden.md": _post("title: Hidden\nhidden: true"),
    "_posts/2024-06-22-not-hidden.md": _post("title: Not hidden\nhidden: false\ndraft: false"),
    # Front matter permalinks: placeholders filled, a leading slash optional.
    "_posts/2024-06-16-relative-permalink.md": _post("title: Relative\npermalink: blog/:title"),
    "_posts/2024-06-17-permalink-slug.md": _post(
        "title: Slug permalink\npermalink: /:categories/:slug/\nslug: Ünï Côde Spécial\n"
        "categories: [Nieuws, Binnenland]"
    ),
    "_posts/2024-06-22-fixed-permalink.md": _post("title: Fixed\npermalink: /fixed/page.html"),
    "_posts/2024-06-30-extension-permalink.md": _post(
        "title: Extension\npermalink: /feeds/:title:output_ext.json"
    ),
    "_posts/2024-06-29-dotted-permalink.md": _post(
        "title: Dots\npermalink: /a/../b/./c//:title.html"
    ),
    # Files as editors write them.
    "_posts/2024-07-09-crlf.md": "\ufeff---\r\ntitle: CRLF\r\n---\r\n\r\nLead.\r\n".encode(),
    "_posts/2024-07-10-dots-close.md": b"---\ntitle: Dots close\n...\n\nLead.\n",
}
