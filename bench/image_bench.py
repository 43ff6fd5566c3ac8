"""All image analyzers on one 1920x1080 frame vs cv2.imdecode of that frame's JPEG.

    python bench/image_bench.py [--repeat 30]

The frame is a real photograph (scikit-image's astronaut) scaled to 1920x1080 with sensor noise
and an OSD, encoded at JPEG quality 85 as a camera snapshot would be. Analysis is timed with a
reference and a previous thumbnail, i.e. all eleven analyzers run. Aim: analysis <= 1.0x decode.
"""

from __future__ import annotations

import argparse
import statistics
import time

import cv2
import numpy as np

from probe.image import analyze, thumbnail
from probe.image.evalset import jpeg, load_photo, osd, sensor


def timed(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    cv2.setNumThreads(1)  # one core per analysis, as in the worker pool
    rng = np.random.default_rng(0)
    photo = load_photo("astronaut")
    frame = cv2.resize(photo[64:352], (1920, 1080), interpolation=cv2.INTER_CUBIC)
    frame = osd(sensor(frame, rng, 2.0), rng)
    data = jpeg(frame, 85)
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    reference, previous = thumbnail(decoded), thumbnail(decoded)

    t_decode = timed(lambda: cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR), args.repeat)
    t_analyze = timed(lambda: analyze(decoded, reference=reference, previous=previous), args.repeat)
    t_alone = timed(lambda: analyze(decoded), args.repeat)
    print(f"frame 1920x1080, JPEG {len(data) / 1000:.0f} kB, median of {args.repeat}, 1 OpenCV thread")
    print(f"decode (cv2.imdecode)                     {t_decode * 1000:7.2f} ms")
    print(f"analyze, all 11 analyzers (ref + previous) {t_analyze * 1000:7.2f} ms   ratio {t_analyze / t_decode:.2f}x")
    print(f"analyze, no reference / previous          {t_alone * 1000:7.2f} ms   ratio {t_alone / t_decode:.2f}x")


if __name__ == "__main__":
    main()
