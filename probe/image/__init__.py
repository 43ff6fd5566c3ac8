"""Image-quality diagnosis (视频质量诊断) of decoded camera frames.

    verdict = analyze(frame, reference=ref_thumb, previous=prev_thumb, thresholds=t)
    verdict.faults   # ("blur",) -- image fault codes of camsla.kernel.faults, empty when normal
    verdict.metrics  # every measured value, so an operator can see why
    thumbnail(frame) # the small copy to store as the camera's previous / reference frame
"""

from probe.image.context import AnalyzerResult, FrameContext
from probe.image.registry import ANALYZERS, SUPPRESSES
from probe.image.thresholds import DEFAULT_THRESHOLDS, Thresholds, ThresholdsError
from probe.image.verdict import ImageVerdict, analyze, analyze_bytes, decode
from probe.image.workcopy import FrameError, decode_image, encode_jpeg, thumbnail

__all__ = [
    "ANALYZERS",
    "DEFAULT_THRESHOLDS",
    "SUPPRESSES",
    "AnalyzerResult",
    "FrameContext",
    "FrameError",
    "ImageVerdict",
    "Thresholds",
    "ThresholdsError",
    "analyze",
    "analyze_bytes",
    "decode",
    "decode_image",
    "encode_jpeg",
    "thumbnail",
]
