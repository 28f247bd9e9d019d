"""What a request needs of the specialist who takes it: skill levels and authority.

    Requirements.of(skills={"payments": 3}, authority=["refund_limit >= 150"])

A specialist meets them when each named skill is at least its level (1 to 5) and each
authority constraint holds for the specialist's attribute (`refund_limit = 500`,
`can_override_fare = true`); an attribute the specialist does not have fails its constraint.
In routing rules a constraint's value may be a context value (`context.data.credits`);
`resolve` replaces it with the request's own value before the request is submitted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tapline.engine.errors import Path, SpecError
from tapline.engine.expressions import (
    ORDERING,
    ExpressionError,
    Op,
    Ref,
    Scalar,
    compare,
    context_path,
    is_number,
    is_scalar,
    literal,
    operator,
    tokenize,
)
from tapline.engine.presence import MAX_LEVEL, MIN_LEVEL

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _show(value: Scalar | Ref) -> str:
    if isinstance(value, Ref) or is_number(value):
        return str(value)
    return json.dumps(value)


@dataclass(frozen=True, slots=True)
class Constraint:
    """`attribute op value`, e.g. refund_limit >= 150. See expressions.py for comparisons.

    `widen`: the constraint is dropped when the queue widens to anyone (T2); by default an
    authority constraint is kept, because a person without the authority cannot help.
    """

    attribute: str
    op: Op
    value: Scalar | Ref
    widen: bool = False

    def __post_init__(self) -> None:
        if not _NAME.match(self.attribute):
            raise SpecError((), f"{self.attribute!r} is not an attribute name")
        if self.op in ORDERING and not (is_number(self.value) or isinstance(self.value, Ref)):
            raise SpecError((), f"{self.op.value!r} compares numbers, not {_show(self.value)}")
        if not isinstance(self.value, Ref) and not is_scalar(self.value):
            raise SpecError((), f"{self.value!r} is not a number, string or boolean")

    def __str__(self) -> str:
        return f"{self.attribute} {self.op.value} {_show(self.value)}"

    @classmethod
    def parse(cls, text: str, *, widen: bool = False) -> Constraint:
        """`refund_limit >= 150`, `can_override_fare == true`, `x >= context.data.credits`."""
        try:
            tokens = tokenize(text)
            if not tokens or tokens[0].kind != "name" or "." in tokens[0].text:
                raise ExpressionError(
                    f"{text!r} does not start with an attribute name, as in refund_limit >= 150"
                )
            op = operator(tokens[1] if len(tokens) > 1 else None, repr(tokens[0].text))
            if len(tokens) != 3:
                raise ExpressionError(f"{text!r} is not one comparison: attribute op value")
            value_token = tokens[2]
            if value_token.kind == "name" and value_token.text not in ("true", "false"):
                value: Scalar | Ref = Ref(context_path(value_token, prefix_required=True))
            else:
                value = literal(value_token)
        except ExpressionError as error:
            raise SpecError((), str(error)) from None
        return cls(tokens[0].text, op, value, widen)

    def allows(self, actual: object) -> bool:
        """Whether a specialist whose attribute is `actual` (None if absent) meets it."""
        assert not isinstance(self.value, Ref), "resolve the requirements first"
        return compare(actual, self.op, self.value)

    def resolve(self, subject: Mapping[str, Any]) -> Constraint | None:
        """This constraint with its reference replaced from `subject`; None if unusable."""
        if not isinstance(self.value, Ref):
            return self
        value = self.value.get(subject)
        if value is None or (self.op in ORDERING and not is_number(value)):
            return None
        return Constraint(self.attribute, self.op, value, self.widen)


def _constraint(item: object, path: Path) -> Constraint:
    widen = False
    if isinstance(item, Mapping):
        unknown = set(item) - {"require", "widen"}
        if unknown:
            raise SpecError((*path, sorted(unknown)[0]), "unknown key (expected require, widen)")
        raw: object = item.get("widen", False)
        if not isinstance(raw, bool):
            raise SpecError((*path, "widen"), "widen is true or false")
        widen = raw
        item = item.get("require")
        path = (*path, "require")
    if not isinstance(item, str):
        raise SpecError(path, 'a constraint is a string such as "refund_limit >= 150"')
    try:
        return Constraint.parse(item, widen=widen)
    except SpecError as error:
        raise SpecError(path, error.reason) from None


def _skills(data: object, path: Path) -> dict[str, int]:
    if not isinstance(data, Mapping):
        raise SpecError(path, "skills is a table of skill = minimum level, as { payments = 3 }")
    for name, level in data.items():
        if not isinstance(name, str) or not name:
            raise SpecError(path, f"{name!r} is not a skill name")
        if isinstance(level, bool) or not isinstance(level, int):
            raise SpecError((*path, name), f"a level is a whole number 1 to 5, not {level!r}")
        if not MIN_LEVEL <= level <= MAX_LEVEL:
            raise SpecError((*path, name), f"level must be 1 to 5, not {level}")
    return dict(data)


@dataclass(frozen=True, slots=True)
class Requirements:
    """Minimum skill levels and authority constraints; empty means the queue's skill alone."""

    skills: tuple[tuple[str, int], ...] = ()
    """(skill, minimum level) pairs, sorted by skill."""
    authority: tuple[Constraint, ...] = ()

    def __post_init__(self) -> None:
        _skills(dict(self.skills), ("skills",))
        object.__setattr__(self, "skills", tuple(sorted(dict(self.skills).items())))

    def __hash__(
        self,
    ) -> int:  # written out so that mypyc compiles it (routing hashes one per submit)
        return hash((self.skills, self.authority))

    @classmethod
    def of(
        cls,
        skills: Mapping[str, int] | None = None,
        authority: Iterable[Constraint | str] = (),
    ) -> Requirements:
        constraints = tuple(
            _constraint(c, ("authority", i)) if isinstance(c, str) else c
            for i, c in enumerate(authority)
        )
        return cls(tuple((skills or {}).items()), constraints)

    @classmethod
    def from_dict(cls, data: Mapping[str, object], path: Path = ()) -> Requirements:
        """From {"skills": {"payments": 3}, "authority": ["refund_limit >= 150", ...]}.

        An authority item is a string or {"require": "...", "widen": true}. Raises SpecError
        naming the key at fault (under `path`).
        """
        skills = _skills(data.get("skills", {}), (*path, "skills"))
        items = data.get("authority", [])
        if not isinstance(items, list | tuple):
            raise SpecError((*path, "authority"), "authority is a list of constraints")
        constraints = tuple(
            _constraint(item, (*path, "authority", i)) for i, item in enumerate(items)
        )
        return cls(tuple(skills.items()), constraints)

    def to_dict(self) -> dict[str, object]:
        """The dict form (JSON), which `from_dict` reads back."""
        return {
            "skills": dict(self.skills),
            "authority": [
                {"require": str(c), "widen": True} if c.widen else str(c) for c in self.authority
            ],
        }

    @property
    def levels(self) -> dict[str, int]:
        return dict(self.skills)

    @property
    def has_refs(self) -> bool:
        return any(isinstance(c.value, Ref) for c in self.authority)

    def resolve(self, subject: Mapping[str, Any]) -> tuple[Requirements, tuple[Constraint, ...]]:
        """(these requirements with context values filled in, the constraints dropped).

        A constraint whose context value is missing, or is not a number where one is
        compared, is dropped: there is nothing to hold the specialist to.
        """
        kept: list[Constraint] = []
        dropped: list[Constraint] = []
        for constraint in self.authority:
            resolved = constraint.resolve(subject)
            if resolved is None:
                dropped.append(constraint)
            else:
                kept.append(resolved)
        return Requirements(self.skills, tuple(kept)), tuple(dropped)

    def __str__(self) -> str:
        parts = [f"{skill} >= {level}" for skill, level in self.skills]
        parts += [str(c) for c in self.authority]
        return ", ".join(parts) if parts else "nothing beyond the queue's skill"


NONE = Requirements()
