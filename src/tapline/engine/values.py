"""Frozen values whose `__init__` mypyc compiles (effects, request views, estimates)."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from typing import ClassVar


class Value:
    """A frozen value, as a frozen dataclass is: compared and hashed by its class and fields
    (`__match_args__`, in order), with the same repr, and FrozenInstanceError on assignment.

    Written out rather than `@dataclass(frozen=True)` so that mypyc compiles `__init__`: the
    dataclass one stays interpreted, and the engine builds several effects per command (and
    the estimator an Estimate per waiting customer).
    `object.__setattr__` with a literal name compiles to a plain store.
    """

    __slots__ = ()
    __match_args__: ClassVar[tuple[str, ...]] = ()

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__match_args__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Value)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __reduce__(self) -> tuple[type[Value], tuple[object, ...]]:
        # a compiled class is not rebuilt from its slots: from its fields, in order (every
        # subclass's __init__ takes them in `__match_args__` order)
        return (type(self), self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__match_args__)
        return f"{type(self).__qualname__}({fields})"

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")
