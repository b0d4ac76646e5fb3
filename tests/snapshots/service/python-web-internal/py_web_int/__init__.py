"""The py-web-int service."""

__version__ = "0.1.0"
