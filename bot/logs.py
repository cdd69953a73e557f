"""Logging for the entry point: one line per event, text or JSON, secrets redacted."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import warnings
from collections.abc import Iterable
from typing import TextIO

# Bot API URLs carry the token in the path: /bot123456:ABC.../sendMessage
_BOT_URL_TOKEN = re.compile(r"/bot\d+:[A-Za-z0-9_-]+")
# What a file name or a platform's text must not put into a log line: control characters
# (a newline forges a line, ANSI escapes repaint the terminal), direction overrides, and
# the stand-ins for bytes that were not UTF-8 (which would not even encode).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")


class Redactor(logging.Filter):
    """Replaces every known secret, and anything shaped like a bot URL token."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return _BOT_URL_TOKEN.sub("/bot[redacted]", text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = printable(self.redact(record.getMessage()))
        record.args = None
        if record.exc_info:
            trace = self.redact(logging.Formatter().formatException(record.exc_info))
            # Indented: no line of a traceback can pass for an event of its own.
            record.exc_text = "\n".join("  " + printable(line) for line in trace.split("\n"))
            record.exc_info = None
        return True


def printable(text: str) -> str:
    """`text` on one line, every character that could forge or repaint a log escaped."""
    return _UNPRINTABLE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's stand-in for a byte that was not UTF-8
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        moment = dt.datetime.fromtimestamp(record.created, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        line = f"{moment} {record.levelname:<7} {record.getMessage()}"
        return line + ("\n" + record.exc_text if record.exc_text else "")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            entry["error"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure(log_format: str, secrets: Iterable[str], stream: TextIO | None = None) -> None:
    """Route all logging to one stream with the redactor in front of it."""
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.addFilter(Redactor(secrets))
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    # python-telegram-bot warns on every RetryAfter that the attribute will become a
    # timedelta; the adapter reads both forms, so the warning tells operators nothing.
    warnings.filterwarnings(
        "ignore", message=".*attribute .retry_after. will be of type", category=UserWarning
    )
    # httpx logs every request URL at INFO, and a Bot API URL holds the token.
    for noisy in ("httpx", "httpcore", "telegram", "apscheduler", "urllib3", "watchfiles"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
