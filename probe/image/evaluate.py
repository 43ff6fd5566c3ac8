"""Evaluate the image analyzers on the labelled set of probe.image.evalset.

    python -m probe.image.evaluate --split tuning --misses   # while tuning: the tuning photos only
    python -m probe.image.evaluate --split tuning --lopo     # leave-one-photo-out on the tuning photos
    python -m probe.image.evaluate                           # both splits, gate on the TEST split

Prints per-fault recall and precision and the false-positive rate on normal frames, for the
TUNING and the TEST photographs, each judged with the camera's reference frame (the production
case: every camera gets one at commissioning) and without it. Exit status 1 when the TEST split
judged with the reference misses the gate: macro recall >= 0.95, macro precision >= 0.95, normal
FPR <= 0.05.

Leave-one-photo-out cross-validation (``--lopo``, tuning photos only, with the reference) estimates
how the analyzers generalise without touching the TEST split: for each tuning photograph, the
metrics on that photograph's samples alone. The thresholds are fixed defaults (none is fitted from
the data by code), so no refit per fold is needed; what the folds show is how much the result
depends on the photograph -- the spread and the worst fold matter more than the mean.

Honesty log of the held-out TEST split: runs whose results were looked at -- see TEST_SPLIT_LOOKS.
Round 3 replaced the TEST photographs (see evalset): the earlier rounds' test split (page, text,
immunohistochemistry, retina, cell; looked at four times, best result macro recall 0.906, precision
0.935, normal FPR 0.042) became tuning data, and the count started again for the new photographs.
Round 3, look 1 (the only one), judged with the reference: macro recall 0.965, macro precision
0.982, normal FPR 0.000 (0/203) -- the gate passes; weakest stripes recall 0.859 and too_bright
precision 0.918. Tuning at the same commit: 0.961 / 0.967 / 0.015.
Round 3, look 2: the same code on other random strengths of the same photographs, to see how
much the result depends on the draw: seed 6 0.956 / 0.979 / 0.015, seed 7 0.964 / 0.978 / 0.015
(both pass); weakest over the three seeds stripes recall 0.83-0.88, too_dark recall 0.88-0.94,
too_bright precision 0.91-0.94. Nothing was tuned after either look.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field

from camsla.kernel import IMAGE_FAULTS
from probe.image.evalset import SPLITS, Sample, samples
from probe.image.verdict import analyze_bytes

GATE_RECALL = 0.95
GATE_PRECISION = 0.95
GATE_NORMAL_FPR = 0.05
MODES = ("reference", "no_reference")  # judged with the camera's reference frame, and without
TEST_SPLIT_LOOKS = 2  # times the round-3 TEST split's results were looked at (1st: after tuning round 3, at the
# commit that set this to 1; 2nd: the same code on other random strengths, seeds 6 and 7, to measure
# how much the result depends on the draw -- nothing tuned after either)


@dataclass
class Outcome:
    sample: Sample
    label: frozenset[str]  # what it should get in this mode
    predicted: frozenset[str]
    metrics: dict

    @property
    def correct(self) -> bool:
        return self.predicted == self.label


@dataclass
class Report:
    split: str
    mode: str = "reference"
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def gated(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.sample.gated]

    def per_fault(self) -> dict[str, tuple[int, int, int]]:
        """fault -> (true positives, positives, predicted) over the gated samples."""
        table = {}
        for fault in IMAGE_FAULTS:
            pos = [o for o in self.gated if fault in o.label]
            pred = [o for o in self.gated if fault in o.predicted]
            tp = [o for o in pos if fault in o.predicted]
            if pos or pred:
                table[fault] = (len(tp), len(pos), len(pred))
        return table

    def recall(self, fault: str) -> float | None:
        tp, pos, _ = self.per_fault()[fault]
        return tp / pos if pos else None

    def precision(self, fault: str) -> float | None:
        tp, _, pred = self.per_fault()[fault]
        return tp / pred if pred else None

    @property
    def macro_recall(self) -> float:
        values = [self.recall(f) for f in self.per_fault()]
        values = [v for v in values if v is not None]
        return sum(values) / len(values)

    @property
    def macro_precision(self) -> float:
        # a fault that is never predicted has precision 1 only if it also has no positives;
        # with positives and no predictions its recall is 0 and the gate fails anyway
        values = [self.precision(f) if self.precision(f) is not None else 1.0 for f in self.per_fault()]
        return sum(values) / len(values)

    @property
    def normals(self) -> list[Outcome]:
        return [o for o in self.gated if not o.label]

    @property
    def normal_fpr(self) -> float:
        normals = self.normals
        return sum(1 for o in normals if o.predicted) / len(normals)

    @property
    def passed(self) -> bool:
        return (
            self.macro_recall >= GATE_RECALL
            and self.macro_precision >= GATE_PRECISION
            and self.normal_fpr <= GATE_NORMAL_FPR
        )


def run_modes(split: str, seed: int = 5, modes: tuple[str, ...] = MODES) -> dict[str, Report]:
    """One report per mode; the samples are made once and judged in every mode."""
    reports = {mode: Report(split, mode) for mode in modes}
    for s in samples(split, seed):
        for mode, report in reports.items():
            start = time.perf_counter()
            with_ref = mode == "reference"
            verdict = analyze_bytes(
                s.data, reference=s.reference if with_ref else None, previous=s.previous, night=s.night_hint
            )
            label = s.label if with_ref else s.label_no_reference
            report.outcomes.append(Outcome(s, label, frozenset(verdict.faults), dict(verdict.metrics)))
            report.seconds += time.perf_counter() - start
    return reports


def run(split: str, seed: int = 5, mode: str = "reference") -> Report:
    return run_modes(split, seed, (mode,))[mode]


def by_photo(report: Report) -> dict[str, Report]:
    """One report per photograph of the split: the leave-one-photo-out folds (thresholds fixed)."""
    folds: dict[str, Report] = {}
    for o in report.outcomes:
        folds.setdefault(o.sample.photo, Report(report.split, report.mode)).outcomes.append(o)
    return folds


def render_lopo(report: Report) -> str:
    folds = by_photo(report)
    lines = [
        f"== leave-one-photo-out, {report.split.upper()} split, judged "
        f"{'with' if report.mode == 'reference' else 'WITHOUT'} the reference: each photograph's samples",
        f"{'held-out photo':<22}{'recall':>8}{'precision':>11}{'FPR':>8}{'pass':>6}   weakest fault (recall/precision)",
    ]
    for photo, fold in folds.items():
        worst = min(
            fold.per_fault(),
            key=lambda f: min(v for v in (fold.recall(f), fold.precision(f), 1.0) if v is not None),
        )
        lines.append(
            f"{photo:<22}{fold.macro_recall:8.3f}{fold.macro_precision:11.3f}{fold.normal_fpr:8.3f}"
            f"{'yes' if fold.passed else 'no':>6}   {worst} {_fmt(fold.recall(worst))}/{_fmt(fold.precision(worst))}"
        )
    n = len(folds)
    mean = [sum(getattr(f, a) for f in folds.values()) / n for a in ("macro_recall", "macro_precision", "normal_fpr")]
    low = [min(getattr(f, a) for f in folds.values()) for a in ("macro_recall", "macro_precision")]
    lines.append(
        f"mean over {n} folds: recall {mean[0]:.3f}  precision {mean[1]:.3f}  FPR {mean[2]:.3f};  "
        f"worst fold: recall {low[0]:.3f}  precision {low[1]:.3f}  FPR "
        f"{max(f.normal_fpr for f in folds.values()):.3f};  folds passing the gate {sum(f.passed for f in folds.values())}/{n}"
    )
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:5.3f}"


def render(report: Report) -> str:
    photos = ", ".join(SPLITS[report.split])
    mode = "with the reference frame" if report.mode == "reference" else "WITHOUT a reference frame"
    lines = [
        f"== {report.split.upper()} split ({photos}), judged {mode}: {len(report.gated)} gated samples, "
        f"{len(report.outcomes) - len(report.gated)} informational, analysis {report.seconds:.1f} s",
        f"{'fault':<14}{'recall':>8}{'precision':>11}{'TP':>5}{'pos':>5}{'pred':>6}",
    ]
    for fault, (tp, pos, pred) in report.per_fault().items():
        lines.append(
            f"{fault:<14}{_fmt(report.recall(fault)):>8}{_fmt(report.precision(fault)):>11}{tp:>5}{pos:>5}{pred:>6}"
        )
    normals = report.normals
    fp = sum(1 for o in normals if o.predicted)
    lines.append(
        f"macro recall {report.macro_recall:.3f}   macro precision {report.macro_precision:.3f}   "
        f"normal FPR {report.normal_fpr:.3f} ({fp}/{len(normals)})"
    )
    info = [o for o in report.outcomes if not o.sample.gated]
    if info:
        flagged = sum(1 for o in info if o.predicted)
        lines.append(
            f"informational (not gated): live static scene, only sensor noise + OSD clock changed: "
            f"{flagged}/{len(info)} reported frozen -- indistinguishable from a frozen picture"
        )
    return "\n".join(lines)


def render_misses(report: Report, keys: tuple[str, ...] = ()) -> str:
    lines = []
    for o in report.outcomes:
        if o.correct:
            continue
        shown = {k: v for k, v in o.metrics.items() if not keys or k in keys}
        lines.append(
            f"  {o.sample.name:<40} want {sorted(o.label)} got {sorted(o.predicted)} {shown}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m probe.image.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=["tuning", "test", "both"], default="both")
    parser.add_argument("--mode", choices=[*MODES, "both"], default="both")
    parser.add_argument("--misses", action="store_true", help="list every wrongly judged sample")
    parser.add_argument("--keys", default="", help="with --misses: only these metrics (comma-separated)")
    parser.add_argument("--lopo", action="store_true", help="also leave-one-photo-out folds (tuning split only)")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    splits = ["tuning", "test"] if args.split == "both" else [args.split]
    modes = MODES if args.mode == "both" else (args.mode,)
    keys = tuple(k for k in args.keys.split(",") if k)
    gate_ok = True
    for split in splits:
        for mode, report in run_modes(split, args.seed, modes).items():
            print(render(report))
            if args.misses:
                print(render_misses(report, keys))
            if args.lopo and split == "tuning":
                print(render_lopo(report))
            if split == "test" and mode == "reference":
                gate_ok = report.passed
                print(
                    f"GATE (test split, with reference): macro recall >= {GATE_RECALL}, macro precision >= "
                    f"{GATE_PRECISION}, normal FPR <= {GATE_NORMAL_FPR}: {'PASS' if gate_ok else 'FAIL'}"
                )
            print()
    return 0 if gate_ok else 1


if __name__ == "__main__":
    sys.exit(main())
