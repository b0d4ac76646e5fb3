"""The py-web-ext service."""

__version__ = "0.1.0"
