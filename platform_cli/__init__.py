"""plat: the command line of an internal developer platform."""

__version__ = "0.1.0"
