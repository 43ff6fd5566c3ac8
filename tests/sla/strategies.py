"""Hypothesis strategies for one camera's history: observations of the three checks with gaps
shorter, equal to and longer than stale_after, exact duplicates, same-instant conflicts, random
commissioning / decommissioning / maintenance windows, delivered shuffled in random batches.

Importable by other suites (e.g. the database store runs the same property through sla/store.py):

    from tests.sla.strategies import histories
    from tests.sla.brute import expected_seconds
"""

from __future__ import annotations

from hypothesis import strategies as st

from camsla.kernel import CHECKS, Observation
from tests.sla.brute import CAMERA, History, at

# A few codes per check: enough for distinct keys, few enough that keys repeat and runs form.
FAULT_CHOICES = {
    "liveness": ("unreachable", "stream_down", "timeout"),
    "image": ("blur", "black_screen", "frozen"),
    "recording": ("not_recording", "recording_gap", "storage_fault"),
}


@st.composite
def keys(draw: st.DrawFn, check: str) -> tuple[str, tuple[str, ...]]:
    status = draw(st.sampled_from(("ok", "fail", "error")))
    if status == "ok":
        return status, ()
    if status == "fail":
        faults = draw(st.lists(st.sampled_from(FAULT_CHOICES[check]), min_size=1, max_size=2, unique=True))
        return status, tuple(sorted(faults))
    return status, draw(st.sampled_from(((), (FAULT_CHOICES[check][-1],))))


@st.composite
def series(draw: st.DrawFn, check: str, stale: int, max_obs: int = 12) -> list[Observation]:
    """Observations of one check: runs of repeated keys with tricky gaps (0, stale-1, stale, stale+1...)."""
    n = draw(st.integers(0, max_obs))
    t = draw(st.integers(-stale, 120))
    # A small palette of results, so that A A B A A patterns (late splits) are common.
    palette = draw(st.lists(keys(check), min_size=2, max_size=3, unique=True))
    key = palette[0]
    out: list[Observation] = []
    for _ in range(n):
        out.append(Observation(CAMERA, at(t), check, key[0], key[1], source="hypothesis"))
        gap = draw(
            st.one_of(
                st.sampled_from((0, 1, stale - 1, stale, stale + 1)),
                st.integers(0, stale // 2),  # short gaps: a late result can land inside a run
                st.integers(0, 3 * stale),
            )
        )
        t += max(gap, 0)
        if draw(st.booleans()):  # another result about one time in two
            key = draw(st.sampled_from([k for k in palette if k != key]))
    return out


@st.composite
def histories(draw: st.DrawFn, max_obs_per_check: int = 12, max_period_s: int = 700) -> History:
    stale = {
        "liveness": draw(st.integers(2, 40)),
        "image": draw(st.integers(2, 90)),
        "recording": draw(st.integers(2, 150)),
    }
    obs: list[Observation] = []
    for check in CHECKS:
        obs += draw(series(check, stale[check], max_obs_per_check))
    # exact re-deliveries of some observations
    if obs:
        obs += draw(st.lists(st.sampled_from(obs), max_size=4))
    # delivery: in time order (the append path) one time in four, else shuffled; batches of 1-5
    if draw(st.integers(0, 3)) == 0:
        obs.sort(key=lambda o: o.ts)
    else:
        obs = draw(st.permutations(obs))
    batches: list[tuple[Observation, ...]] = []
    i = 0
    while i < len(obs):
        size = draw(st.integers(1, 5))
        batches.append(tuple(obs[i : i + size]))
        i += size

    commissioned = draw(st.one_of(st.none(), st.integers(-60, 300)))
    decommissioned = None
    if commissioned is not None and draw(st.booleans()):
        decommissioned = commissioned + draw(st.integers(0, 700))
    windows = tuple(
        (at(a), at(a + length))
        for a, length in draw(st.lists(st.tuples(st.integers(-60, 600), st.integers(0, 200)), max_size=3))
    )
    start = draw(st.integers(-60, 120))
    end = start + draw(st.integers(0, max_period_s))
    return History(
        batches=tuple(batches),
        stale_after=stale,
        commissioned_at=None if commissioned is None else at(commissioned),
        decommissioned_at=None if decommissioned is None else at(decommissioned),
        windows=windows,
        period=(at(start), at(end)),
    )
