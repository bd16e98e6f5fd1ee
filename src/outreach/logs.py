"""Logging to stderr for people (text) or machines (one JSON object a line).

journald keeps whatever the daemon writes to stderr; secrets are redacted by the
filter in ``outreach.config.secrets`` whatever the format.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from outreach.config.secrets import RedactingFilter
from outreach.core import textsafe


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="seconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class LineFormatter(logging.Formatter):
    """One line per record: a name or subject quoted from a contact can never start a line
    of its own (line breaks and other control characters are escaped)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = textsafe.for_log(record.message)
        return super().formatMessage(record)


#: -v count -> the level of outreach's own log lines (libraries stay at WARNING: some
#: of them log secrets at DEBUG, see NOTES.md on pyspnego).
LEVELS = (logging.WARNING, logging.INFO, logging.DEBUG)


def configure(fmt: str = "text", verbosity: int = 0, prefix: str = "%(levelname)s ") -> None:
    """Send outreach's log lines to stderr in ``fmt``; quiet the libraries below us.

    ``verbosity`` 0 shows warnings, 1 (-v) what happens, 2 (-vv) debugging detail;
    ``prefix`` starts each text line (a command says "outreach: ", the daemon its level).
    """
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(LineFormatter(prefix + "%(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    level = LEVELS[min(max(verbosity, 0), len(LEVELS) - 1)]
    logging.getLogger("outreach").setLevel(level)
