"""The stable fault codes of shared/DESIGN.md, grouped by check.

These strings appear in the API, metrics, tickets and reports: never rename one.
"""

from __future__ import annotations

LIVENESS_FAULTS: tuple[str, ...] = ("unreachable", "stream_down", "auth_failed", "timeout")
IMAGE_FAULTS: tuple[str, ...] = (
    "signal_loss",
    "black_screen",
    "blur",
    "occlusion",
    "too_dark",
    "too_bright",
    "color_cast",
    "noise",
    "stripes",
    "frozen",
    "scene_change",
    "decode_error",
)
RECORDING_FAULTS: tuple[str, ...] = ("not_recording", "recording_gap", "retention_short", "storage_fault")
SECURITY_FAULTS: tuple[str, ...] = ("unknown_device", "device_substituted")

FAULTS_BY_CHECK: dict[str, tuple[str, ...]] = {
    "liveness": LIVENESS_FAULTS,
    "image": IMAGE_FAULTS,
    "recording": RECORDING_FAULTS,
}
ALL_FAULTS: frozenset[str] = frozenset(
    LIVENESS_FAULTS + IMAGE_FAULTS + RECORDING_FAULTS + SECURITY_FAULTS
)

# zh-CN labels, the default language of every page and report.
FAULT_LABELS_ZH: dict[str, str] = {
    "unreachable": "网络不可达",
    "stream_down": "视频流中断",
    "auth_failed": "认证失败",
    "timeout": "响应超时",
    "signal_loss": "信号丢失",
    "black_screen": "黑屏",
    "blur": "图像模糊",
    "occlusion": "视频遮挡",
    "too_dark": "画面过暗",
    "too_bright": "画面过亮",
    "color_cast": "图像偏色",
    "noise": "雪花噪声",
    "stripes": "条纹干扰",
    "frozen": "画面冻结",
    "scene_change": "场景变更",
    "decode_error": "解码失败",
    "not_recording": "未录像",
    "recording_gap": "录像缺失",
    "retention_short": "存储天数不足",
    "storage_fault": "存储故障",
    "unknown_device": "私接设备",
    "device_substituted": "设备被替换",
}
