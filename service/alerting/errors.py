"""Errors of the warning rules, one tree:

AlertingError              anything the alerting package refuses
├── RulesError             thresholds.yaml is not valid; `problems` lists each as 'file:line: message'
└── InputError             the data handed to evaluate() or the backtest cannot be read as the rules need
"""

from __future__ import annotations

__all__ = ["AlertingError", "InputError", "RulesError"]


class AlertingError(ValueError):
    """Base of every error the alerting package raises."""


class RulesError(AlertingError):
    """thresholds.yaml is not valid; `problems` lists each as 'file:line: message'."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class InputError(AlertingError):
    """Input data is missing a column, or a value cannot be read as a number or month."""
