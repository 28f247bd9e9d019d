"""tapline: a specialist one tap away, inside any app."""

__version__ = "0.1.0"
