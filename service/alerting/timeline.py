"""The grade timeline: values -> the grade a rule asks for at each period, after `for`, hysteresis and hold.

The same function serves the live service (the grade at the latest month, replayed over `lookback_months`) and
the backtest (replayed as of every month), so what the backtest scores is what the service would have done.

    raw, relaxed = grade_values(values, bounds, op=">=", margin=margin)
    grades = grade_timeline(raw, relaxed, missing, periods_needed=k, hold=h)     # (periods, regions), 0 = none

Per region, period by period:
- a grade fires once the value has met its bound (or a worse one) for `for` periods running;
- a firing grade is kept while the value stays within `clear_margin` of its bound (hysteresis); below that the
  rule steps down to the worst grade whose relaxed bound still holds, or clears;
- after clearing, the last grade is kept `keep_firing_for` more periods (hold);
- a missing figure is no evidence either way: the grade stays as it was, and the `for` count starts again.
"""

from __future__ import annotations

import numpy as np

__all__ = ["grade_timeline", "grade_values"]

# Averages of one-decimal figures should meet a bound they equal whatever order the float sum took.
EPS = 1e-9


def grade_values(
    values: np.ndarray, bounds: np.ndarray, *, op: str, margin: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Severity (0 none, 1 = IV .. 4 = I) each value meets, strictly and with the margin, for (periods, regions).

    bounds: (regions, 4) with columns for grades IV, III, II, I (NaN where a grade is not defined).
    """
    n_t, n_r = values.shape
    raw = np.zeros((n_t, n_r), dtype=np.int8)
    relaxed = np.zeros((n_t, n_r), dtype=np.int8)
    with np.errstate(invalid="ignore"):
        for sev in range(1, 5):
            b = bounds[:, sev - 1][None, :]
            m = margin[None, :]
            if op == ">=":
                strict, loose = values >= b - EPS, values >= b - m - EPS
            elif op == ">":
                strict, loose = values > b + EPS, values > b - m + EPS
            elif op == "<=":
                strict, loose = values <= b + EPS, values <= b + m + EPS
            else:
                strict, loose = values < b - EPS, values < b + m - EPS
            defined = ~np.isnan(b)
            raw = np.where(strict & defined, np.int8(sev), raw)
            relaxed = np.where(loose & defined, np.int8(sev), relaxed)
    return raw, relaxed


def grade_timeline(
    raw: np.ndarray,
    relaxed: np.ndarray,
    missing: np.ndarray,
    *,
    periods_needed: np.ndarray,
    hold: np.ndarray,
    level: np.ndarray | None = None,
    level_margin: np.ndarray | None = None,
    allowed: np.ndarray | None = None,
) -> np.ndarray:
    """Grades (0 none, 1 I .. 4 IV) per period and region; see the module docstring for the rules.

    With `level` (a rise rule's smoothed series, `clear_on: onset_level`), a firing grade is kept instead while
    the level stays above where it stood when the rule fired, less `level_margin`: the warning clears when the
    rise has been undone, not when the 12-month low has caught up with a plateau.

    With `allowed` (periods, regions) the rule may fire or step up only where it is True (`only_when:` rules);
    a grade already firing is kept or cleared by the rule's own clear-down.
    """
    n_t, n_r = raw.shape
    runs = np.zeros((4, n_r), dtype=np.int32)  # periods running with severity >= 1..4
    sev = np.zeros(n_r, dtype=np.int8)
    left = np.zeros(n_r, dtype=np.int32)
    base = np.full(n_r, np.nan)
    out = np.zeros((n_t, n_r), dtype=np.int8)
    levels = np.arange(1, 5, dtype=np.int8)[:, None]
    for t in range(n_t):
        gap = missing[t]
        met = (raw[t][None, :] >= levels) & ~gap[None, :]
        runs = np.where(met, runs + 1, 0)
        confirmed = runs >= periods_needed[None, :]
        candidate = np.where(confirmed, levels, 0).max(axis=0).astype(np.int8)
        if allowed is not None:
            candidate = np.where(allowed[t], candidate, 0).astype(np.int8)
        if level is None:
            held = np.where(sev > 0, np.minimum(sev, relaxed[t]), 0).astype(np.int8)
        else:
            with np.errstate(invalid="ignore"):
                above = level[t] >= base - level_margin - EPS
            held = np.where((sev > 0) & above, sev, 0).astype(np.int8)
        new = np.maximum(candidate, held)
        holding = (new == 0) & (sev > 0) & (left > 0)
        new = np.where(holding, sev, new)
        left = np.where(gap, left, np.where(holding, left - 1, np.where(new > 0, hold, 0)))
        if level is not None:
            started = np.where((sev == 0) & (new > 0), level[t], np.where(new > 0, base, np.nan))
            base = np.where(gap, base, started)
        sev = np.where(gap, sev, new)
        out[t] = sev
    return np.where(out > 0, 5 - out, 0).astype(np.int8)
