from __future__ import annotations

from tapline.engine.toml_lines import key_lines, line_of

DOC = '''# routing
tier_claim = "tier"

[tiers]
gold = 20

[[rule]]
name = "first"
skills = { payments = 3 }

[[rule]]
"queue" = "vip"
authority = [
  "a >= 1",   # one per line
  { require = "b == true", widen = true },
  "c >= [2]",
]
note = """
[[rule]]
not = "a table"
"""

[rule.sub]
x = 1

[queue.payments]
sticky.seconds = 5
'''


def test_tables_and_keys_by_path() -> None:
    lines = key_lines(DOC)
    assert lines[("tier_claim",)] == 2
    assert lines[("tiers",)] == 4
    assert lines[("tiers", "gold")] == 5
    assert lines[("rule", 0)] == 7
    assert lines[("rule", 0, "skills")] == 9
    assert lines[("rule", 1)] == 11
    assert lines[("rule", 1, "queue")] == 12
    assert lines[("rule", 1, "authority")] == 13
    assert [lines[("rule", 1, "authority", i)] for i in range(3)] == [14, 15, 16]
    assert ("rule", 2) not in lines  # inside a multi-line string
    assert lines[("rule", 1, "sub", "x")] == 24  # [rule.sub] belongs to the last [[rule]]
    assert lines[("queue", "payments", "sticky", "seconds")] == 27


def test_line_of_falls_back_to_the_nearest_key() -> None:
    lines = key_lines(DOC)
    assert line_of(lines, ("rule", 0, "skills", "payments")) == 9
    assert line_of(lines, ("rule", 1, "nothing")) == 11
    assert line_of(lines, ("elsewhere",)) is None
