"""Active checks against a camera. The kernel imports only these names.

- ``Target``: what a probe needs about one camera (``Target.build(**inventory_values, profile=...,
  default_kinds=settings.probe.default_kinds)``).
- ``probe_liveness(target, settings) -> Observation``: one ``liveness`` observation for one camera.
- ``run_cycle(targets, settings, sink, *, spread_s=None) -> CycleStats``: a whole cycle, jittered and
  bounded; ``iter_cycle`` is the same as an async iterator.
- ``LIVENESS_PROBERS``: the table of liveness kinds (names valid in ``probe.default_kinds`` and in a
  camera profile's ``liveness_kinds``).
"""

from probe.liveness import PROBERS as LIVENESS_PROBERS
from probe.liveness import KindResult, probe_liveness
from probe.runner import CycleStats, iter_cycle, run_cycle, start_offset
from probe.target import PROFILE_KINDS_KEY, Target

__all__ = [
    "LIVENESS_PROBERS",
    "PROFILE_KINDS_KEY",
    "CycleStats",
    "KindResult",
    "Target",
    "iter_cycle",
    "probe_liveness",
    "run_cycle",
    "start_offset",
]
