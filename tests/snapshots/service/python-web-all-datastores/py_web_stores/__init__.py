"""The py-web-stores service."""

__version__ = "0.1.0"
