"""tapline: a specialist one tap away, inside any app."""

from tapline import native

__version__ = "0.1.0"

native.choose()  # before anything imports the engine: its build, unless stale
