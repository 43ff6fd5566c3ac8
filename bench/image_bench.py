"""All image analyzers on one 1920x1080 frame vs cv2.imdecode of that frame's JPEG.

    python bench/image_bench.py [--repeat 30]

The frame is a real photograph (scikit-image's astronaut) scaled to 1920x1080 with sensor noise
and an OSD, encoded at JPEG quality 85 as a camera snapshot would be. Analysis is timed with a
reference and a previous thumbnail, i.e. all eleven analyzers run. Aim: analysis <= 1.0x decode.
Calls are interleaved (the machine is shared), so the analysis of a frame decoded long before
pays for reading it back from memory; the last line times the production order, decode then
analyse that fresh frame, minus the decode.
"""

from __future__ import annotations

import argparse
import statistics
import time

import cv2
import numpy as np

from probe.image import analyze, thumbnail
from probe.image.evalset import jpeg, load_photo, osd, sensor


def timed(fns: dict, repeat: int) -> dict[str, float]:
    """Median seconds of each function, calls interleaved so that a busy machine (the CPU is
    shared) slows them alike."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for fn in fns.values():
        fn()  # warm-up
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()} | {
        f"{name}_min": min(ts) for name, ts in times.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=60)
    args = parser.parse_args()
    cv2.setNumThreads(1)  # one core per analysis, as in the worker pool
    rng = np.random.default_rng(0)
    photo = load_photo("astronaut")
    frame = cv2.resize(photo[64:352], (1920, 1080), interpolation=cv2.INTER_CUBIC)
    frame = osd(sensor(frame, rng, 2.0), rng)
    data = jpeg(frame, 85)
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    reference, previous = thumbnail(decoded), thumbnail(decoded)

    def decode():
        return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)

    t = timed(
        {
            "decode": decode,
            "analyze": lambda: analyze(decoded, reference=reference, previous=previous),
            "alone": lambda: analyze(decoded),
            # as in production: the frame analysed is the one just decoded (still in the caches)
            "pipeline": lambda: analyze(decode(), reference=reference, previous=previous),
        },
        args.repeat,
    )
    t_decode, t_analyze, t_alone = t["decode"], t["analyze"], t["alone"]
    t_fresh = t["pipeline"] - t_decode
    print(f"frame 1920x1080, JPEG {len(data) / 1000:.0f} kB, median of {args.repeat}, 1 OpenCV thread")
    print(f"decode (cv2.imdecode)                     {t_decode * 1000:7.2f} ms")
    print(f"analyze, all 11 analyzers (ref + previous) {t_analyze * 1000:7.2f} ms   ratio {t_analyze / t_decode:.2f}x")
    print(f"analyze, no reference / previous          {t_alone * 1000:7.2f} ms   ratio {t_alone / t_decode:.2f}x")
    print(f"decode + analyze (fresh frame), minus decode {t_fresh * 1000:5.2f} ms   ratio {t_fresh / t_decode:.2f}x")
    fresh_min = t["pipeline_min"] - t["decode_min"]
    print(
        f"fastest runs (least disturbed by other load): decode {t['decode_min'] * 1000:.2f} ms, analyze "
        f"{t['analyze_min'] * 1000:.2f} ms ({t['analyze_min'] / t['decode_min']:.2f}x), fresh "
        f"{fresh_min * 1000:.2f} ms ({fresh_min / t['decode_min']:.2f}x)"
    )


if __name__ == "__main__":
    main()
