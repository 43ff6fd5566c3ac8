"""Availability figures: seconds per state -> rates, for any set of cameras and period.

DESIGN.md: ``eligible = ok + degraded + offline + unknown``,
``online_rate = (ok + degraded) / (ok + degraded + offline)``,
``normal_rate = ok / (ok + degraded + offline)``, ``coverage = 1 - unknown / eligible``; a rate
whose denominator is 0 is ``None`` (JSON ``null``), never 0 or 1. A sector meets its SLA when
``normal_rate >= target``.

Sums are exact (integer microseconds, see ``sla.state.StateSeconds``); each rate is the float
nearest to the exact ratio, and :func:`meets_target` decides on the exact ratio, so a sector
exactly at its target meets it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeVar

from sla.state import StateSeconds

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Rates:
    online_rate: float | None
    normal_rate: float | None
    coverage: float | None


def rates(seconds: StateSeconds) -> Rates:
    """The three rates of DESIGN.md; ``None`` where the denominator is 0."""
    measured = seconds.measured_us
    eligible = seconds.eligible_us
    return Rates(
        online_rate=(seconds.ok_us + seconds.degraded_us) / measured if measured else None,
        normal_rate=seconds.ok_us / measured if measured else None,
        # (eligible - unknown) / eligible: the same number, rounded once.
        coverage=(eligible - seconds.unknown_us) / eligible if eligible else None,
    )


@functools.lru_cache(maxsize=256)
def _exact(target: float | str | Fraction) -> Fraction:
    # 0.98 in a config file means 98/100, not the binary float nearest to it.
    return target if isinstance(target, Fraction) else Fraction(str(target))


def meets(normal_rate: float | None, target: float) -> bool | None:
    """Whether a normal rate meets a target; ``None`` when there is no rate (no measured time)."""
    if normal_rate is None:
        return None
    return normal_rate >= target


def meets_target(seconds: StateSeconds, target: float | str | Fraction) -> bool | None:
    """:func:`meets` decided on the exact ratio ``ok / (ok + degraded + offline)``; prefer this."""
    measured = seconds.measured_us
    if not measured:
        return None
    exact = _exact(target)  # ok / measured >= n / d, in integers
    return seconds.ok_us * exact.denominator >= exact.numerator * measured


def total(items: Iterable[StateSeconds]) -> StateSeconds:
    """The exact sum (an empty iterable gives all zeros)."""
    return sum(items, StateSeconds())


def group(rows: Iterable[tuple[K, StateSeconds]]) -> dict[K, StateSeconds]:
    """Sum ``(key, seconds)`` rows per key — key a sector code, contractor, day, (sector, day)...

    Keys keep the order in which they first appear.
    """
    out: dict[K, StateSeconds] = {}
    for key, s in rows:
        cur = out.get(key)
        out[key] = s if cur is None else cur + s
    return out


def group_by(
    per_camera: Iterable[tuple[str, StateSeconds]], key_of: Callable[[str], K]
) -> dict[K, StateSeconds]:
    """Sum per-camera seconds under ``key_of(camera_id)`` (its sector, contractor, district...)."""
    return group((key_of(camera_id), s) for camera_id, s in per_camera)


@dataclass(frozen=True, slots=True)
class Figures:
    """Seconds, rates and (with a target) the verdict for one set of cameras over one period."""

    seconds: StateSeconds
    rates: Rates
    cameras: int | None = None
    target: float | None = None
    met: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        """The figure fields of ``camsla sla --json`` (``cameras``/``target``/``met`` when known)."""
        s, r = self.seconds, self.rates
        d: dict[str, Any] = {}
        if self.cameras is not None:
            d["cameras"] = self.cameras
        if self.target is not None:
            d["target"] = self.target
        d.update(
            eligible_s=s.eligible_s,
            ok_s=s.ok_s,
            degraded_s=s.degraded_s,
            offline_s=s.offline_s,
            unknown_s=s.unknown_s,
            excluded_s=s.excluded_s,
            online_rate=r.online_rate,
            normal_rate=r.normal_rate,
            coverage=r.coverage,
        )
        if self.target is not None:
            d["met"] = self.met
        return d


def figures(seconds: StateSeconds, target: float | None = None, cameras: int | None = None) -> Figures:
    """Rates for ``seconds`` and, if a target is given, whether it is met (exactly)."""
    return Figures(
        seconds=seconds,
        rates=rates(seconds),
        cameras=cameras,
        target=target,
        met=None if target is None else meets_target(seconds, target),
    )
