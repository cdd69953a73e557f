"""Post dates in every form Jekyll sites use, as timezone-aware datetimes (pure)."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import warnings
from typing import Any

from dateutil import parser as dateutil_parser

# The zone names Ruby's Time.parse knows (time.rb ZoneOffset), in hours. Any other
# name (CEST) counts only if it is the site zone's own in January or July; else
# Jekyll reads the time as local time in the site's zone, and so do we.
_RUBY_ZONES = {
    "UTC": 0, "Z": 0, "UT": 0, "GMT": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
    "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    **{letter: hours for letter, hours in zip("ABCDEFGHIKLM", range(1, 13), strict=True)},
    **{letter: -hours for letter, hours in zip("NOPQRSTUVWXY", range(1, 13), strict=True)},
}  # fmt: skip
_NUMERIC_ZONE = re.compile(r"[+-]\d{4}$")

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

    Text without an offset is read in `zone` (the site's timezone), as Jekyll does;
    a YAML timestamp without one (`date: 2024-10-31 01:40:00`, unquoted) is UTC, as
    YAML says and Jekyll's YAML reader does. Raises DateError with a reader-facing
    message when it is not a date.
    """
    if isinstance(value, dt.datetime):
        # Jekyll reads a YAML timestamp back from its text, which has no fractions.
        value = value.replace(microsecond=0)
        return _checked(value if value.tzinfo else value.replace(tzinfo=dt.UTC))
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
    """RFC 2822 with a numeric zone, as the seed has it; zone names go to dateutil."""
    if not _NUMERIC_ZONE.search(text):
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:  # "-0000": UTC, with the local zone unknown
        return parsed.replace(tzinfo=dt.UTC)
    return parsed


def _parse_loose(text: str, zone: dt.tzinfo) -> dt.datetime | None:
    """`date`-command style and other spelled-out forms, via dateutil, zone names as
    Ruby resolves them.

    Only accepted when the text names a four-digit year, so that "May 3" or
    "tomorrow" are not quietly completed with today's year.
    """
    if not re.search(r"\b\d{4}\b", text):
        return None

    def ruby_zone(name: str | None, offset: int | None) -> dt.tzinfo | None:
        return _ruby_zone(name, zone, year) if name else None

    year = int(re.findall(r"\b\d{4}\b", text)[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # what dateutil only warns about is no date
        try:
            parsed = dateutil_parser.parse(text, tzinfos=ruby_zone)
        except (ValueError, OverflowError, Warning):
            return None
    return parsed


def _ruby_zone(name: str, zone: dt.tzinfo, year: int) -> dt.tzinfo | None:
    """Ruby's Time.zone_offset for a zone name: its table, else the site zone's own
    name in January or July, else None (local time)."""
    name = name.upper()
    if name in _RUBY_ZONES:
        return dt.timezone(dt.timedelta(hours=_RUBY_ZONES[name]))
    for month in (1, 7):
        sample = dt.datetime(year, month, 1, tzinfo=zone)
        if (sample.tzname() or "").upper() == name:
            return dt.timezone(sample.utcoffset() or dt.timedelta())
    return None
