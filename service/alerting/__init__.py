"""Graded warnings, all pure: rules (thresholds.yaml) -> evaluate (signals) -> state (transitions with reasons).

    ruleset = load_rules_file(path)
    result = evaluate(ruleset, Inputs(observations=frame), regions=RegionTable.from_records(regions), as_of=month)
    decision = transition(previous, grade=..., now=now)

Side effects (reading alerts, writing events and outbox rows) happen in service/jobs.py and service/db/alerts.py.
"""

from service.alerting.errors import AlertingError, InputError, RulesError
from service.alerting.evaluate import Evaluation, Signal, evaluate
from service.alerting.inputs import Inputs, RegionTable
from service.alerting.rules import Level, Risk, Ruleset, load_rules, load_rules_file
from service.alerting.state import AlertSnapshot, Decision, Reason, transition

__all__ = [
    "AlertSnapshot",
    "AlertingError",
    "Decision",
    "Evaluation",
    "InputError",
    "Inputs",
    "Level",
    "Reason",
    "RegionTable",
    "Risk",
    "RulesError",
    "Ruleset",
    "Signal",
    "evaluate",
    "load_rules",
    "load_rules_file",
    "transition",
]
