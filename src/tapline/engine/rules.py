"""Routing rules: which queue a request goes to, and what it needs, from its context.

An ordered list of rules; the first whose `when` holds for the request's context gives the
queue, the requirements (skill levels, authority, which may refer to context values) and a
priority. No rule matching means the `default`. The customer's tier (a verified claim) adds
a priority boost. Queue policies (priority, sticky wait, widening, fallback) live in the same
document. Loaded from TOML (`load_rules`, `parse_rules`) or from the same shape as a dict
(`RoutingRules.from_dict`, for JSON); anything wrong is refused with every problem found, each
with its file, line (TOML) and reason. The format is in docs/subsystems/routing.md.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any, TypeVar

from tapline.engine.conditions import Condition, parse_condition
from tapline.engine.errors import InvalidArgument, Path, SpecError, show_path
from tapline.engine.policy import QueuePolicy
from tapline.engine.requirements import NONE, Constraint, Requirements
from tapline.engine.toml_lines import key_lines, line_of

_T = TypeVar("_T")
_TOP = ("tier_claim", "tiers", "rule", "default", "queue")
_RULE = ("name", "when", "queue", "skills", "authority", "priority")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a rules document."""

    source: str
    line: int | None
    path: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.path}: {self.reason}" if self.path else f"{where}: {self.reason}"


class RulesError(InvalidArgument):
    """Routing rules refused: `problems` lists each with its file, line and reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        first = problems[0]
        self.source, self.line, self.reason = first.source, first.line, first.reason
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    queue: str
    when: str | None = None
    """The condition as written (None: always)."""
    condition: Condition | None = None
    requirements: Requirements = NONE
    """May refer to context values; `Routing.requirements` has them resolved."""
    priority: int = 0

    def matches(self, subject: Mapping[str, Any]) -> bool:
        return self.condition is None or self.condition.holds(subject)

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"name": self.name, "queue": self.queue}
        if self.when is not None:
            data["when"] = self.when
        data.update(self.requirements.to_dict())
        if self.priority:
            data["priority"] = self.priority
        return data


@dataclass(frozen=True, slots=True)
class Routing:
    """Where a request goes: pass these to `Engine.submit` (priority is the request's own)."""

    queue_id: str
    requirements: Requirements
    priority: int
    rule: str
    """The name of the rule that matched ("default" if none)."""
    dropped: tuple[Constraint, ...] = ()
    """Constraints left out because the context value they refer to is missing or unusable."""


@dataclass(frozen=True, slots=True)
class RoutingRules:
    rules: tuple[Rule, ...]
    default: Rule
    tiers: Mapping[str, int] = field(default_factory=dict)
    """Tier (the value of the `tier_claim` verified claim) -> priority boost."""
    tier_claim: str = "tier"
    queues: Mapping[str, QueuePolicy] = field(default_factory=dict)

    def route(
        self, context: Mapping[str, Any], *, claims: Mapping[str, Any] | None = None
    ) -> Routing:
        """The queue, resolved requirements and priority for a request with this context.

        `claims` are the customer's verified claims only (never the context's own): they
        are what `claims.<key>` and the tier read.
        """
        verified = dict(claims or {})
        data = context.get("data")
        subject = {
            "flow": context.get("flow"),
            "step": context.get("step"),
            "data": data if isinstance(data, Mapping) else {},
            "claims": verified,
        }
        rule = next((r for r in self.rules if r.matches(subject)), self.default)
        requirements, dropped = rule.requirements.resolve(subject)
        tier = verified.get(self.tier_claim)
        boost = self.tiers.get(str(tier), 0) if tier is not None else 0
        return Routing(rule.queue, requirements, rule.priority + boost, rule.name, dropped)

    def policy(self, queue_id: str) -> QueuePolicy | None:
        return self.queues.get(queue_id)

    def queue_ids(self) -> set[str]:
        """Every queue the rules name: rule queues, the default, policies and fallbacks."""
        names = {rule.queue for rule in self.rules} | {self.default.queue} | set(self.queues)
        return names | {p.fallback for p in self.queues.values() if p.fallback is not None}

    def to_dict(self) -> dict[str, object]:
        """The dict (JSON) form, which `from_dict` reads back."""
        default = self.default.to_dict()
        for key in ("name", "when"):
            default.pop(key, None)
        return {
            "tier_claim": self.tier_claim,
            "tiers": dict(self.tiers),
            "rule": [rule.to_dict() for rule in self.rules],
            "default": default,
            "queue": {queue_id: policy.to_dict() for queue_id, policy in self.queues.items()},
        }

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, object],
        *,
        source: str = "<rules>",
        queues: Collection[str] | None = None,
    ) -> RoutingRules:
        """Rules from their dict form; RulesError (with the key paths) if anything is wrong.

        With `queues`, every queue named must be one of them.
        """
        return _build(data, source, queues, lambda path: None)


def parse_rules(
    text: str, source: str = "<rules>", *, queues: Collection[str] | None = None
) -> RoutingRules:
    """Rules from a TOML document; RulesError with the file, line and reason of each problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(found.group(1)) if found else None
        reason = message[: found.start()].strip() if found else message
        raise RulesError([Problem(source, line, "", f"not valid TOML: {reason}")]) from None
    lines = key_lines(text)
    return _build(data, source, queues, lambda path: line_of(lines, path))


def load_rules(path: str | FilePath, *, queues: Collection[str] | None = None) -> RoutingRules:
    """Rules from a TOML file (see parse_rules)."""
    path = FilePath(path)
    return parse_rules(path.read_text(encoding="utf-8"), str(path), queues=queues)


# -- Building and checking ---------------------------------------------------------------


class _Checker:
    def __init__(self, source: str, locate: Callable[[Path], int | None]) -> None:
        self.source = source
        self.locate = locate
        self.problems: list[Problem] = []

    def problem(self, path: Path, reason: str) -> None:
        self.problems.append(Problem(self.source, self.locate(path), show_path(path), reason))

    def attempt(self, make: Callable[[], _T], path: Path = ()) -> _T | None:
        """`make()`, or None with its SpecError recorded (its path under `path`)."""
        try:
            return make()
        except SpecError as error:
            self.problem(path + error.path, error.reason)
            return None

    def keys(self, data: Mapping[str, object], allowed: tuple[str, ...], path: Path) -> None:
        for key in data:
            if key not in allowed:
                self.problem((*path, key), f"unknown key (expected one of {', '.join(allowed)})")


def _table(value: object, path: Path, what: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise SpecError(path, f"{what} is a table")
    return value


def _priority(data: Mapping[str, object], path: Path) -> int:
    priority = data.get("priority", 0)
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise SpecError((*path, "priority"), f"a whole number, not {priority!r}")
    return priority


def _rule(check: _Checker, data: object, path: Path) -> Rule | None:
    """A rule (path ("rule", i)) or the default (path ("default",)); None if it is wrong."""
    table = check.attempt(lambda: _table(data, path, "a rule"))
    if table is None:
        return None
    index = path[-1]
    is_default = not isinstance(index, int)
    check.keys(table, _RULE[2:] if is_default else _RULE, path)
    queue = table.get("queue")
    if not isinstance(queue, str) or not queue:
        check.problem((*path, "queue"), 'every rule names its queue: queue = "..."')
    name = table.get("name", f"rule {index + 1}" if isinstance(index, int) else "default")
    if not isinstance(name, str):
        check.problem((*path, "name"), "a name is a string")
    when = table.get("when")
    condition = None
    if when is not None and not isinstance(when, str):
        check.problem((*path, "when"), "when is a string, as in 'flow == \"booking\"'")
    elif isinstance(when, str):
        condition = check.attempt(lambda: _condition(when), (*path, "when"))
    skills = check.attempt(
        lambda: Requirements.from_dict({"skills": table.get("skills", {})}), path
    )
    authority = check.attempt(
        lambda: Requirements.from_dict({"authority": table.get("authority", [])}), path
    )
    requirements = None
    if skills is not None and authority is not None:
        requirements = Requirements(skills.skills, authority.authority)
    priority = check.attempt(lambda: _priority(table, path))
    if (
        not isinstance(queue, str)
        or not isinstance(name, str)
        or requirements is None
        or priority is None
        or (when is not None and condition is None)
    ):
        return None
    return Rule(
        name, queue, when if isinstance(when, str) else None, condition, requirements, priority
    )


def _condition(text: str) -> Condition:
    try:
        return parse_condition(text)
    except InvalidArgument as error:
        raise SpecError((), str(error)) from None


def _tiers(check: _Checker, data: object) -> dict[str, int]:
    table = check.attempt(lambda: _table(data, ("tiers",), "tiers"))
    tiers: dict[str, int] = {}
    for tier, boost in (table or {}).items():
        if isinstance(boost, bool) or not isinstance(boost, int):
            check.problem(("tiers", tier), f"a tier's boost is a whole number, not {boost!r}")
        else:
            tiers[tier] = boost
    return tiers


def _policy(check: _Checker, queue_id: str, value: object) -> QueuePolicy | None:
    path: Path = ("queue", queue_id)
    table = check.attempt(lambda: _table(value, path, "a queue's policy"))
    if table is None:
        return None
    policy = check.attempt(lambda: QueuePolicy.from_dict(table, path))
    if policy is not None and policy.fallback == queue_id:
        check.problem((*path, "fallback"), "a queue cannot fall back to itself")
        return None
    return policy


def _policies(check: _Checker, data: object) -> dict[str, QueuePolicy]:
    table = check.attempt(lambda: _table(data, ("queue",), "queue"))
    policies: dict[str, QueuePolicy] = {}
    for queue_id, value in (table or {}).items():
        policy = _policy(check, queue_id, value)
        if policy is not None:
            policies[queue_id] = policy
    _check_cycles(check, policies)
    return policies


def _check_cycles(check: _Checker, policies: Mapping[str, QueuePolicy]) -> None:
    for start in policies:
        seen = [start]
        at = policies[start].fallback
        while at is not None and at in policies and at not in seen:
            seen.append(at)
            at = policies[at].fallback
        if at == start and len(seen) > 1 and start == min(seen):
            circle = " -> ".join([*seen, start])
            check.problem(("queue", start, "fallback"), f"fallbacks go round in a circle: {circle}")


def _check_known(check: _Checker, rules: RoutingRules, known: Collection[str]) -> None:
    for i, rule in enumerate(rules.rules):
        if rule.queue not in known:
            check.problem(("rule", i, "queue"), f"no queue {rule.queue!r}")
    if rules.default.queue not in known:
        check.problem(("default", "queue"), f"no queue {rules.default.queue!r}")
    for queue_id, policy in rules.queues.items():
        if queue_id not in known:
            check.problem(("queue", queue_id), f"no queue {queue_id!r}")
        if policy.fallback is not None and policy.fallback not in known:
            check.problem(("queue", queue_id, "fallback"), f"no queue {policy.fallback!r}")


def _build(
    data: Mapping[str, object],
    source: str,
    known: Collection[str] | None,
    locate: Callable[[Path], int | None],
) -> RoutingRules:
    check = _Checker(source, locate)
    check.keys(data, _TOP, ())
    tier_claim = data.get("tier_claim", "tier")
    if not isinstance(tier_claim, str) or not tier_claim:
        check.problem(("tier_claim",), 'the name of a verified claim, as in "tier"')
    items = data.get("rule", [])
    if not isinstance(items, list):
        check.problem(("rule",), "rules are [[rule]] tables")
        items = []
    rules = [_rule(check, item, ("rule", i)) for i, item in enumerate(items)]
    default = None
    if "default" in data:
        default = _rule(check, data["default"], ("default",))
    else:
        check.problem((), "no [default] table: say which queue takes what no rule matches")
    tiers = _tiers(check, data.get("tiers", {}))
    queues = _policies(check, data.get("queue", {}))
    if check.problems or default is None:
        raise RulesError(check.problems)
    kept = tuple(r for r in rules if r is not None)
    built = RoutingRules(kept, default, tiers, str(tier_claim), queues)
    if known is not None:
        _check_known(check, built, known)
        if check.problems:
            raise RulesError(check.problems)
    return built
