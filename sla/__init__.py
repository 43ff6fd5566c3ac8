"""sla: the state engine and availability math (pure: runs, windows and clock are passed in).

Observations are folded into runs (``fold``); runs of a camera give its state at every instant
(``state_timeline``) and exact time per state (``state_seconds``); seconds add up per sector,
contractor or day and give the rates and typed figures (``figures``, ``build_report``). The
newest result per camera and check moves with ``advance``, which names the ``StateChange``.
See shared/DESIGN.md "Time and state semantics". Persistence is camsla.db's: it hands plain
values in and stores what comes out.
"""

from sla.current import CurrentResult, StateChange, advance
from sla.days import camera_seconds, plan
from sla.eligibility import eligible_intervals, merge_intervals, windows_for_camera
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
    zone,
)
from sla.report import (
    CameraFigures,
    CameraRef,
    ContractorFigures,
    GroupKey,
    PeriodFigures,
    SectorFigures,
    SectorRef,
    SlaReport,
    WindowRef,
    build_report,
    group_key,
)
from sla.rollup import Figures, Rates, figures, meets_target, rates
from sla.runs import FoldInconsistency, FoldResult, Rejection, Run, fold, fold_window
from sla.state import (
    STATES,
    StateSeconds,
    StateSpan,
    decide,
    state_seconds,
    state_seconds_split,
    state_timeline,
)

__all__ = [
    "DEFAULT_TIMEZONE",
    "STATES",
    "CameraFigures",
    "CameraRef",
    "ContractorFigures",
    "CurrentResult",
    "Figures",
    "FoldInconsistency",
    "FoldResult",
    "Period",
    "PeriodError",
    "PeriodFigures",
    "Rates",
    "Rejection",
    "Run",
    "SectorFigures",
    "SectorRef",
    "SlaReport",
    "StateChange",
    "StateSeconds",
    "StateSpan",
    "WindowRef",
    "GroupKey",
    "advance",
    "camera_seconds",
    "group_key",
    "plan",
    "build_report",
    "day_bounds",
    "decide",
    "eligible_intervals",
    "figures",
    "fold",
    "fold_window",
    "local_date",
    "local_midnight",
    "meets_target",
    "merge_intervals",
    "month_bounds",
    "parse_bound",
    "parse_period",
    "rates",
    "split_days",
    "split_months",
    "state_seconds",
    "state_seconds_split",
    "state_timeline",
    "windows_for_camera",
    "zone",
]
