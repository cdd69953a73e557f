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
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


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
