"""The simulator: the real engine in virtual time, scoring wait estimates against offered waits.

`tapline simulate SCENARIO.toml` reads a scenario (`scenario.py`), runs the discrete-event loop
(`run.py`), prints Rich tables (`console.py`) and optionally writes a report (`report.py`).
See docs/subsystems/simulator.md.
"""

from tapline.simulator.metrics import PREDICTORS, Results, Score
from tapline.simulator.run import Simulation, simulate
from tapline.simulator.scenario import Scenario, ScenarioError, load_scenario, parse_scenario

__all__ = [
    "PREDICTORS",
    "Results",
    "Scenario",
    "ScenarioError",
    "Score",
    "Simulation",
    "load_scenario",
    "parse_scenario",
    "simulate",
]
