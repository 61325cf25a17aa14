"""Graded warnings, all pure: rules (thresholds.yaml) -> evaluate (signals) -> state (transitions with reasons).

Side effects (reading alerts, writing events and outbox rows) happen in service/jobs.py.
"""

from service.alerting.evaluate import Signal, evaluate
from service.alerting.rules import Level, RulesError, Ruleset, load_rules, load_rules_file
from service.alerting.state import AlertSnapshot, Decision, Reason, transition

__all__ = [
    "AlertSnapshot",
    "Decision",
    "Level",
    "Reason",
    "RulesError",
    "Ruleset",
    "Signal",
    "evaluate",
    "load_rules",
    "load_rules_file",
    "transition",
]
