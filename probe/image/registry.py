"""The table of image analyzers: fault code -> function, and which faults mask which.

Adding an analyzer is one function of the shape ``analyze_<code>(ctx) -> AnalyzerResult`` and one
line here. The table's order is also the priority order for masking, which keeps one root cause
per picture: a "no signal" screen is not also "blurred", a covered lens is not also "moved", an
underexposed picture is not also "noisy". Only a fault that is itself kept masks later ones.
"""

from __future__ import annotations

from collections.abc import Callable

from probe.image.blur import analyze_blur
from probe.image.colour import analyze_color_cast
from probe.image.context import AnalyzerResult, FrameContext
from probe.image.exposure import analyze_too_bright, analyze_too_dark
from probe.image.frozen import analyze_frozen
from probe.image.noise import analyze_noise
from probe.image.occlusion import analyze_occlusion
from probe.image.scene import analyze_scene_change
from probe.image.screen import analyze_black_screen, analyze_signal_loss
from probe.image.stripes import analyze_stripes

Analyzer = Callable[[FrameContext], AnalyzerResult]

ANALYZERS: dict[str, Analyzer] = {
    "signal_loss": analyze_signal_loss,
    "black_screen": analyze_black_screen,
    "too_bright": analyze_too_bright,
    "noise": analyze_noise,
    "occlusion": analyze_occlusion,
    "too_dark": analyze_too_dark,
    "stripes": analyze_stripes,
    "scene_change": analyze_scene_change,
    "blur": analyze_blur,
    "color_cast": analyze_color_cast,
    "frozen": analyze_frozen,
}

# A whole-screen fault stops the analysis: nothing else can be judged on such a picture.
TERMINAL: frozenset[str] = frozenset({"signal_loss", "black_screen"})

SUPPRESSES: dict[str, frozenset[str]] = {
    # a dark cover makes the picture dark too; occlusion itself leaves a merely dim view alone
    "occlusion": frozenset({"blur", "too_dark", "too_bright", "color_cast", "noise", "stripes", "scene_change"}),
    "too_dark": frozenset({"blur", "noise", "color_cast", "scene_change", "stripes"}),
    "too_bright": frozenset({"blur", "color_cast", "scene_change", "occlusion", "noise"}),
    "noise": frozenset({"scene_change", "blur", "occlusion"}),  # snow hides texture and edges
    "stripes": frozenset({"scene_change", "noise", "blur"}),  # bars change the edges too
    # another view has other colours and other edges: blur and cast are judged vs the reference
    "scene_change": frozenset({"color_cast", "blur"}),
}
