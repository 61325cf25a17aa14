"""Report errors: what stops a quarterly report from being built.

ReportError           anything that stops a report
├── BadQuarter        the quarter is not written like 2025Q3, or has not ended yet
└── NothingToReport   the database holds no figures for the region and quarter asked for
"""

from __future__ import annotations

__all__ = ["BadQuarter", "NothingToReport", "ReportError"]


class ReportError(ValueError):
    """Base class: a report could not be built."""


class BadQuarter(ReportError):
    """The quarter is malformed, or it is not complete at the moment the report is asked for."""


class NothingToReport(ReportError):
    """No figures for the region and quarter: an empty report would mislead, so none is made."""
