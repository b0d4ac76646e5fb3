{%- set command = "web" if kind == "web" else ("worker" if trigger == "queue" else "cron") -%}
"""Entry point of the container: `python -m {{ package_name }} [{{ command }}]`."""

from __future__ import annotations

import argparse
import logging
import sys

from . import logs
from .settings import Settings, SettingsError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m {{ package_name }}", description=__doc__)
    parser.add_argument(
        "command",
        nargs="?",
        choices=["{{ command }}"],
        default="{{ command }}",
{%- if kind == "web" %}
        help="serve HTTP on PORT until SIGTERM (the default)",
{%- elif trigger == "queue" %}
        help="consume QUEUE_URL until SIGTERM (the default)",
{%- else %}
        help="run the scheduled job once and exit (the default)",
{%- endif %}
    )
    parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        logs.configure()
        logging.getLogger(__name__).error("settings.invalid", extra={"error": str(error)})
        return 2
    logs.configure(settings)
{%- if kind == "web" %}
    from .web import serve

    return serve(settings)
{%- elif trigger == "queue" %}
    from .worker import run

    return run(settings)
{%- else %}
    from .cron import run

    return run(settings)
{%- endif %}


if __name__ == "__main__":
    sys.exit(main())
