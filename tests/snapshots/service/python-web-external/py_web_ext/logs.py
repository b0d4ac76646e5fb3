"""JSON logs on stdout, one object per line, for CloudWatch Logs.

Log an event name as the message and the details as `extra`::

    log.info("order.accepted", extra={"order_id": order.id})

gives ``{"timestamp": "...", "level": "INFO", "logger": "...", "event":
"order.accepted", "order_id": 42, "service": "...", "environment": "..."}``.
Metric filters and alarms match on `event`, so keep event names stable.
"""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from .settings import Settings


def configure(settings: Settings | None = None) -> None:
    """Sends every log record of the process (ours, uvicorn's, boto's) to stdout as JSON."""
    static = {}
    if settings is not None:
        static = {"service": settings.service_name, "environment": settings.environment}
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        JsonFormatter(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={"levelname": "level", "name": "logger", "message": "event"},
            static_fields=static,
            timestamp=True,
            # uvicorn adds a copy of its messages with terminal colours.
            reserved_attrs=[*RESERVED_ATTRS, "color_message"],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level if settings is not None else logging.INFO)
    # The AWS SDK logs every request at DEBUG and INFO: keep it to warnings.
    for noisy in ("botocore", "boto3", "urllib3"):
        logging.getLogger(noisy).setLevel(max(root.level, logging.WARNING))
