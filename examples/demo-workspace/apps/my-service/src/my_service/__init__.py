"""my-service: a health endpoint, checked with requests."""

__version__ = "0.1.0"
