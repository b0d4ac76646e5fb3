"""Entry point of the container: `python -m py_web_int [web]`."""

from __future__ import annotations

import argparse
import logging
import sys

from . import logs
from .settings import Settings, SettingsError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m py_web_int", description=__doc__)
    parser.add_argument(
        "command",
        nargs="?",
        choices=["web"],
        default="web",
        help="serve HTTP on PORT until SIGTERM (the default)",
    )
    parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        logs.configure()
        logging.getLogger(__name__).error("settings.invalid", extra={"error": str(error)})
        return 2
    logs.configure(settings)
    from .web import serve

    return serve(settings)


if __name__ == "__main__":
    sys.exit(main())
