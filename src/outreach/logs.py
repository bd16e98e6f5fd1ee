"""Logging to stderr for people (text) or machines (one JSON object a line).

journald keeps whatever the daemon writes to stderr; secrets are redacted by the
filter in ``outreach.secrets`` whatever the format.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from outreach.secrets import RedactingFilter


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


def configure(fmt: str = "text", verbose: bool = False) -> None:
    """Send outreach's log lines to stderr in ``fmt``; quiet the libraries below us."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("outreach").setLevel(logging.INFO if verbose else logging.WARNING)
