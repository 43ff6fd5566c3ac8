"""Active checks against a camera. Callers import these names, and the three heavier sub-surfaces
``probe.image`` (picture diagnosis), ``probe.frame`` (frame grab) and ``probe.recording``
(recording integrity), each through its own ``__init__``: a liveness-only agent loads no OpenCV.

- ``Target``: what a probe needs about one camera (``Target.build(**inventory_values, profile=...,
  default_kinds=settings.probe.default_kinds)``).
- ``probe_liveness(target, settings) -> Observation``: one ``liveness`` observation for one camera.
- ``run_cycle(targets, settings, sink, *, spread_s=None) -> CycleStats``: a whole cycle, jittered and
  bounded; ``iter_cycle`` is the same as an async iterator.
- ``camera_auth``: the Basic/Digest challenge maths (also what the demo's simulated cameras ask).
- ``LIVENESS_PROBERS``: the table of liveness kinds (names valid in ``probe.default_kinds`` and in a
  camera profile's ``liveness_kinds``).
"""

from probe.liveness import PROBERS as LIVENESS_PROBERS
from probe.liveness import KindResult, probe_liveness
from probe.liveness import auth as camera_auth
from probe.runner import CycleStats, iter_cycle, run_cycle, start_offset
from probe.target import PROFILE_KINDS_KEY, Target

__all__ = [
    "LIVENESS_PROBERS",
    "PROFILE_KINDS_KEY",
    "CycleStats",
    "KindResult",
    "Target",
    "camera_auth",
    "iter_cycle",
    "probe_liveness",
    "run_cycle",
    "start_offset",
]
