"""The kernel: what every package of camsla may import, and which imports none of ours and no
SQLAlchemy, FastAPI or Typer -- the observation and its JSONL form, the fault codes, the sectors,
and the settings. A probe agent or a collector needs nothing else of camsla.
"""

from camsla.kernel.faults import (
    ALL_FAULTS,
    FAULT_LABELS_ZH,
    FAULTS_BY_CHECK,
    IMAGE_FAULTS,
    LIVENESS_FAULTS,
    RECORDING_FAULTS,
    SECURITY_FAULTS,
)
from camsla.kernel.jsonl import LineError, parse_line, parse_lines, plain_metrics, to_line
from camsla.kernel.observation import (
    CHECKS,
    STATUS_RANK,
    STATUSES,
    Check,
    MetricValue,
    Observation,
    ObservationError,
    Status,
)
from camsla.kernel.sectors import BUILTIN_SECTORS, TIER_TARGETS, SectorDef
from camsla.kernel.settings import (
    DEFAULT_STALE_AFTER,
    DatabaseSettings,
    ImageSettings,
    ProbeSettings,
    RecordingSettings,
    Settings,
    SettingsError,
    WebSettings,
    load_settings,
)

__all__ = [
    "ALL_FAULTS",
    "BUILTIN_SECTORS",
    "CHECKS",
    "DEFAULT_STALE_AFTER",
    "FAULTS_BY_CHECK",
    "FAULT_LABELS_ZH",
    "IMAGE_FAULTS",
    "LIVENESS_FAULTS",
    "RECORDING_FAULTS",
    "SECURITY_FAULTS",
    "STATUSES",
    "STATUS_RANK",
    "TIER_TARGETS",
    "Check",
    "DatabaseSettings",
    "ImageSettings",
    "LineError",
    "MetricValue",
    "Observation",
    "ObservationError",
    "ProbeSettings",
    "RecordingSettings",
    "SectorDef",
    "Settings",
    "SettingsError",
    "Status",
    "WebSettings",
    "load_settings",
    "parse_line",
    "parse_lines",
    "plain_metrics",
    "to_line",
]
