"""Post dates in every form Jekyll sites use, as timezone-aware datetimes (pure)."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import warnings
from typing import Any

from dateutil import parser as dateutil_parser

# Zone abbreviations seen in `date`-command output. Abbreviations are ambiguous
# in general (CST), so only these common ones are trusted.
_ZONE_ABBREVIATIONS = {
    name: dt.timezone(dt.timedelta(hours=hours), name)
    for name, hours in {
        "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "IST": 1,
        "CET": 1, "CEST": 2, "MET": 1, "MEST": 2, "EET": 2, "EEST": 3, "MSK": 3,
        "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
        "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10,
        "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
    }.items()
}  # fmt: skip

# Jekyll's own form: YYYY-MM-DD[ HH:MM[:SS[.ffff]]][ ±HHMM | ±HH:MM | Z]
_JEKYLL_FORM = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.(?P<f>\d{1,6})\d*)?)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2}|[+-]\d{2})?"
)
_FILENAME_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})-")
_EARLIEST_YEAR, _LATEST_YEAR = 1900, 2999


class DateError(ValueError):
    """The front matter has a date that is not a date."""


def parse_date(value: Any, zone: dt.tzinfo) -> dt.datetime:
    """Turn a front-matter `date` value into an aware datetime.

    Values without an offset are read in `zone` (the site's timezone), as Jekyll
    does. Raises DateError with a reader-facing message when it is not a date.
    """
    if isinstance(value, dt.datetime):
        return _checked(value if value.tzinfo else value.replace(tzinfo=zone))
    if isinstance(value, dt.date):
        return _checked(dt.datetime(value.year, value.month, value.day, tzinfo=zone))
    if not isinstance(value, str) or not value.strip():
        raise DateError(f"date {value!r} is not a date")
    text = " ".join(value.split())
    parsed = _parse_jekyll(text, zone) or _parse_rfc2822(text) or _parse_loose(text, zone)
    if parsed is None:
        raise DateError(f"date {text!r} is not a date Jekyll understands")
    return _checked(parsed if parsed.tzinfo else parsed.replace(tzinfo=zone))


def date_from_filename(name: str, zone: dt.tzinfo) -> dt.datetime | None:
    """The `YYYY-MM-DD-` prefix of a Jekyll post file name, at midnight in `zone`."""
    match = _FILENAME_DATE.match(name)
    if not match:
        return None
    try:
        year, month, day = (int(part) for part in match.groups())
        return _checked(dt.datetime(year, month, day, tzinfo=zone))
    except (ValueError, DateError):
        return None


def _checked(value: dt.datetime) -> dt.datetime:
    if not _EARLIEST_YEAR <= value.year <= _LATEST_YEAR:
        raise DateError(f"date {value.date().isoformat()} is out of range")
    return value


def _parse_jekyll(text: str, zone: dt.tzinfo) -> dt.datetime | None:
    match = _JEKYLL_FORM.fullmatch(text)
    if not match:
        return None
    parts = match.groupdict()
    tz: dt.tzinfo = zone
    if parts["tz"]:
        tz = _offset(parts["tz"])
    try:
        return dt.datetime(
            int(parts["y"]), int(parts["m"]), int(parts["d"]),
            int(parts["H"] or 0), int(parts["M"] or 0), int(parts["S"] or 0),
            int((parts["f"] or "0").ljust(6, "0")), tzinfo=tz,
        )  # fmt: skip
    except ValueError as error:
        raise DateError(f"date {text!r}: {error}") from None


def _offset(text: str) -> dt.timezone:
    if text == "Z":
        return dt.UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise DateError(f"offset {text!r} is not a UTC offset")
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def _parse_rfc2822(text: str) -> dt.datetime | None:
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        if text.endswith("-0000"):  # RFC 2822: UTC, with the local zone unknown
            return parsed.replace(tzinfo=dt.UTC)
        # The email parser drops zone names it does not know (CET); dateutil knows them.
        if re.search(r"\b[A-Z]{2,5}\b", text):
            return None
    return parsed


def _parse_loose(text: str, zone: dt.tzinfo) -> dt.datetime | None:
    """`date`-command style and other spelled-out forms, via dateutil.

    Only accepted when the text names a four-digit year, so that "May 3" or
    "tomorrow" are not quietly completed with today's year.
    """
    if not re.search(r"\b\d{4}\b", text):
        return None
    with warnings.catch_warnings():
        # An unknown zone abbreviation is a reason to reject, not a warning.
        warnings.simplefilter("error")
        try:
            parsed = dateutil_parser.parse(text, tzinfos=_ZONE_ABBREVIATIONS)
        except (ValueError, OverflowError, Warning):
            return None
    return parsed
