"""Typed SLA figures for a period: per sector, contractor and camera, and per day or month.

What `camsla sla --json`, the pages, the exporter and the monthly report read. Each object's
``as_dict()`` is its part of the `camsla sla --json` document, key for key (DESIGN.md: fields are
only ever added). :func:`build_report` is pure: it sums per-camera seconds the caller computed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sla.rollup import Figures, figures
from sla.state import StateSeconds


@dataclass(frozen=True, slots=True)
class SectorRef:
    code: str
    name: str
    tier: str
    target: float


@dataclass(frozen=True, slots=True)
class CameraRef:
    """What the figures need of a camera: identity, grouping keys and its service dates."""

    camera_id: str
    name: str
    sector: str
    contractor: str | None
    district: str | None
    commissioned_at: datetime | None
    decommissioned_at: datetime | None
    contractor_id: int | None = None


@dataclass(frozen=True, slots=True)
class WindowRef:
    """A maintenance window or approved exemption: excluded time of a camera, sector or contractor."""

    start: datetime
    end: datetime
    camera_id: str | None = None
    sector_code: str | None = None
    contractor_id: int | None = None


class _Figured:
    """Shortcuts to the figures of a row."""

    figures: Figures

    @property
    def seconds(self) -> StateSeconds:
        return self.figures.seconds

    @property
    def normal_rate(self) -> float | None:
        return self.figures.rates.normal_rate

    @property
    def online_rate(self) -> float | None:
        return self.figures.rates.online_rate

    @property
    def coverage(self) -> float | None:
        return self.figures.rates.coverage

    @property
    def met(self) -> bool | None:
        return self.figures.met

    @property
    def target(self) -> float | None:
        return self.figures.target

    @property
    def cameras(self) -> int | None:
        return self.figures.cameras


@dataclass(frozen=True, slots=True)
class SectorFigures(_Figured):
    code: str
    name: str
    tier: str
    figures: Figures

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "tier": self.tier, **self.figures.as_dict()}


@dataclass(frozen=True, slots=True)
class ContractorFigures(_Figured):
    contractor: str | None
    figures: Figures

    def as_dict(self) -> dict[str, Any]:
        return {"contractor": self.contractor, **self.figures.as_dict()}


@dataclass(frozen=True, slots=True)
class CameraFigures(_Figured):
    camera: CameraRef
    figures: Figures

    @property
    def camera_id(self) -> str:
        return self.camera.camera_id

    def as_dict(self) -> dict[str, Any]:
        c = self.camera
        return {"camera_id": c.camera_id, "name": c.name, "sector": c.sector, "contractor": c.contractor,
                "district": c.district, **self.figures.as_dict()}


@dataclass(frozen=True, slots=True)
class PeriodFigures:
    """One day or month of the period (``--by``): sectors and contractors."""

    start: datetime  # in the report's timezone
    end: datetime
    sectors: list[SectorFigures]
    contractors: list[ContractorFigures]

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "sectors": [{"code": s.code, **s.figures.as_dict()} for s in self.sectors],
            "contractors": [c.as_dict() for c in self.contractors],
        }


@dataclass(frozen=True, slots=True)
class SlaReport:
    sectors: list[SectorFigures]
    contractors: list[ContractorFigures]
    cameras: list[CameraFigures]
    periods: list[PeriodFigures] | None = None

    def sector(self, code: str) -> SectorFigures | None:
        return next((s for s in self.sectors if s.code == code), None)

    def as_dict(self) -> dict[str, Any]:
        """The `camsla sla --json` document minus "from", "to", "timezone" and "period"."""
        doc: dict[str, Any] = {
            "sectors": [s.as_dict() for s in self.sectors],
            "contractors": [c.as_dict() for c in self.contractors],
            "cameras": [c.as_dict() for c in self.cameras],
        }
        if self.periods is not None:
            doc["periods"] = [p.as_dict() for p in self.periods]
        return doc


GroupKey = tuple[str, str]  # (sector code, contractor name or "")


def group_key(camera: CameraRef) -> GroupKey:
    return (camera.sector, camera.contractor or "")


def build_report(
    sectors: Sequence[SectorRef],
    cameras: Sequence[CameraRef],
    seconds: Mapping[str, StateSeconds],
    *,
    only_sector: str | None = None,
    parts: Sequence[tuple[datetime, datetime, Mapping[GroupKey, StateSeconds]]] | None = None,
) -> SlaReport:
    """Figures per sector (all of ``sectors``, or ``only_sector``), per contractor and per camera.

    ``seconds``: each camera's state seconds over the period; ``parts``: for ``--by``, each
    sub-period's ``(start, end, seconds per (sector, contractor))``. Cameras are listed by id,
    contractors by name (cameras without one first, as ``null``)."""
    by_code = {s.code: s for s in sectors}
    cams = sorted(cameras, key=lambda c: c.camera_id)
    members: dict[str, list[CameraRef]] = defaultdict(list)
    contractors: dict[str, list[CameraRef]] = defaultdict(list)
    for c in cams:
        members[c.sector].append(c)
        contractors[c.contractor or ""].append(c)
    codes = [only_sector] if only_sector is not None else [s.code for s in sectors]
    zero = StateSeconds()

    def sector_rows(total_of) -> list[SectorFigures]:  # noqa: ANN001 - code -> StateSeconds
        return [
            SectorFigures(code, by_code[code].name, by_code[code].tier,
                          figures(total_of(code), by_code[code].target, len(members.get(code, ()))))
            for code in codes
        ]

    def contractor_rows(total_of) -> list[ContractorFigures]:  # noqa: ANN001 - name -> StateSeconds
        return [ContractorFigures(name or None, figures(total_of(name), None, len(ms)))
                for name, ms in sorted(contractors.items())]

    def summed(cs: Sequence[CameraRef]) -> StateSeconds:
        return sum((seconds.get(c.camera_id, zero) for c in cs), StateSeconds())

    report_parts = None
    if parts is not None:
        report_parts = []
        for start, end, groups in parts:
            by_sector: dict[str, StateSeconds] = defaultdict(StateSeconds)
            by_contractor: dict[str, StateSeconds] = defaultdict(StateSeconds)
            for (code, name), s in groups.items():
                by_sector[code] += s
                by_contractor[name] += s
            report_parts.append(PeriodFigures(
                start, end,
                sector_rows(lambda code, b=by_sector: b.get(code, zero)),
                contractor_rows(lambda name, b=by_contractor: b.get(name, zero)),
            ))
    return SlaReport(
        sectors=sector_rows(lambda code: summed(members.get(code, ()))),
        contractors=contractor_rows(lambda name: summed(contractors[name])),
        cameras=[CameraFigures(c, figures(seconds.get(c.camera_id, zero), by_code[c.sector].target)) for c in cams],
        periods=report_parts,
    )
