"""sla: the state engine and availability math (pure: runs, windows and clock are passed in).

Observations are folded into runs (``fold``); runs of a camera give its state at every instant
(``state_timeline``) and exact time per state (``state_seconds``); seconds add up per sector,
contractor or day (``group``) and give the rates (``rates``, ``figures``). See shared/DESIGN.md
"Time and state semantics".
"""

from sla.eligibility import eligible_intervals, merge_intervals
from sla.periods import (
    DEFAULT_TIMEZONE,
    Period,
    PeriodError,
    day_bounds,
    local_date,
    local_midnight,
    month_bounds,
    parse_bound,
    parse_period,
    split_days,
    split_months,
)
from sla.rollup import Figures, Rates, figures, group, group_by, meets, meets_target, rates, total
from sla.runs import (
    FoldInconsistency,
    FoldResult,
    Rejection,
    Run,
    fold,
    fold_window,
    overlaps_window,
)
from sla.state import (
    STATES,
    StateSeconds,
    StateSpan,
    state_seconds,
    state_seconds_split,
    state_timeline,
)

__all__ = [
    "DEFAULT_TIMEZONE",
    "STATES",
    "Figures",
    "FoldInconsistency",
    "FoldResult",
    "Period",
    "PeriodError",
    "Rates",
    "Rejection",
    "Run",
    "StateSeconds",
    "StateSpan",
    "day_bounds",
    "eligible_intervals",
    "figures",
    "fold",
    "fold_window",
    "group",
    "group_by",
    "local_date",
    "local_midnight",
    "meets",
    "meets_target",
    "merge_intervals",
    "month_bounds",
    "overlaps_window",
    "parse_bound",
    "parse_period",
    "rates",
    "split_days",
    "split_months",
    "state_seconds",
    "state_seconds_split",
    "state_timeline",
    "total",
]
