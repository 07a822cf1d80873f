"""netviz's version, in a module of its own: what reads it (the cache's keys) need not import
the package's public API."""

__version__ = "0.2.0"
