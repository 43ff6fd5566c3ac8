"""Page strings: zh-CN is the default language, English the second (``?lang=en``)."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "title": {"zh": "camsla 点位运维监测", "en": "camsla camera health"},
    "store_failing": {
        "zh": "检测结果暂时无法写入数据库：{buffered} 条在内存，{files} 个文件暂存在本地磁盘，数据库恢复后自动补写，不会丢失。本页数字可能滞后。",
        "en": "Results cannot be written to the database right now: {buffered} in memory, {files} spool file(s) on local disk; they are stored automatically once it recovers, nothing is lost. The figures on this page may lag.",
    },
    "last_error": {"zh": "最后错误", "en": "Last error"},
    "database_down": {
        "zh": "数据库暂不可用：监测照常进行，检测结果暂存在内存和本地磁盘，恢复后自动写入。下面只显示服务内存中的情况。",
        "en": "The database is unavailable: monitoring goes on, results wait in memory and on local disk and are stored once it recovers. Below is only what the service holds in memory.",
    },
    "as_of": {"zh": "数据截至", "en": "Figures as of"},
    "sectors": {"zh": "行业/领域网 今日正常率", "en": "Sectors today: normal rate"},
    "month": {"zh": "本月", "en": "Month to date"},
    "today": {"zh": "今日", "en": "Today"},
    "sector": {"zh": "行业", "en": "Sector"},
    "tier": {"zh": "类别", "en": "Tier"},
    "target": {"zh": "目标", "en": "Target"},
    "cameras": {"zh": "点位数", "en": "Cameras"},
    "online_rate": {"zh": "在线率", "en": "Online rate"},
    "normal_rate": {"zh": "正常率", "en": "Normal rate"},
    "coverage": {"zh": "监测覆盖率", "en": "Monitoring coverage"},
    "met": {"zh": "达标", "en": "Met"},
    "yes": {"zh": "达标", "en": "yes"},
    "no": {"zh": "未达标", "en": "no"},
    "na": {"zh": "无数据", "en": "no data"},
    "down_now": {"zh": "当前故障点位", "en": "Cameras down now"},
    "camera": {"zh": "点位", "en": "Camera"},
    "name": {"zh": "名称", "en": "Name"},
    "district": {"zh": "辖区", "en": "District"},
    "contractor": {"zh": "运维单位", "en": "Contractor"},
    "state": {"zh": "状态", "en": "State"},
    "faults": {"zh": "故障", "en": "Faults"},
    "since": {"zh": "检测时间", "en": "Observed"},
    "none_down": {"zh": "当前无故障点位", "en": "No camera is down"},
    "scheduler": {"zh": "调度", "en": "Scheduler"},
    "job": {"zh": "任务", "en": "Job"},
    "runs": {"zh": "运行次数", "en": "Runs"},
    "missed": {"zh": "错过", "en": "Missed"},
    "skipped": {"zh": "跳过(超时)", "en": "Skipped (overrun)"},
    "late": {"zh": "最大延迟(秒)", "en": "Max late (s)"},
    "duration": {"zh": "上次耗时(秒)", "en": "Last duration (s)"},
    "key_public": {"zh": "重点公共区域", "en": "key public"},
    "key_industry": {"zh": "重点行业", "en": "key industry"},
    "offline": {"zh": "离线", "en": "offline"},
    "degraded": {"zh": "图像/录像异常", "en": "degraded"},
    "unknown": {"zh": "未知", "en": "unknown"},
    "ok": {"zh": "正常", "en": "ok"},
    "lang_switch": {"zh": "English", "en": "中文"},
    "back": {"zh": "返回总览", "en": "Back to overview"},
    "reference": {"zh": "基准画面", "en": "Reference frame"},
    "previous": {"zh": "最近画面", "en": "Latest frame"},
    "set_reference": {"zh": "以最近画面作为基准画面", "en": "Use the latest frame as the reference"},
    "no_picture": {"zh": "暂无画面", "en": "no picture yet"},
    "evidence": {"zh": "故障截图", "en": "Fault evidence"},
    "recent": {"zh": "最近检测结果", "en": "Recent results"},
    "check": {"zh": "检测项", "en": "Check"},
    "result": {"zh": "结果", "en": "Result"},
    "details": {"zh": "测量值", "en": "Measured"},
    "liveness": {"zh": "在线检测", "en": "liveness"},
    "image": {"zh": "图像质量", "en": "image"},
    "recording": {"zh": "录像完整性", "en": "recording"},
    "fail": {"zh": "故障", "en": "fail"},
    "error": {"zh": "无法检测", "en": "error"},
    "taken": {"zh": "拍摄于", "en": "taken"},
    "blind": {"zh": "无法检测的点位 (不计入正常率, 降低监测覆盖率)", "en": "Cameras that cannot be checked (unknown time, lowers coverage)"},
    "reason": {"zh": "原因", "en": "Reason"},
    "awaiting_reference_state": {"zh": "待确认基准画面", "en": "awaiting a reference picture"},
    "looks_without_reference": {"zh": "无基准时看起来:", "en": "without one it looks:"},
    "awaiting_reference_here": {
        "zh": "没有基准画面时，这个画面看起来有上述问题，可能只是场景本身如此。请看最近画面：画面正常就点击下方按钮设为基准画面；确认前不判定图像质量，不影响正常率。",
        "en": "Without a reference this picture looks as above, which may be the scene itself. Look at the latest frame: if it is normal, make it the reference with the button below. Until then the picture is not judged and does not count against the normal rate.",
    },
    "awaiting_reference": {"zh": "待确认基准画面的点位", "en": "Cameras awaiting a reference picture"},
    "awaiting_reference_help": {
        "zh": "没有基准画面时，画面看起来过亮、条纹、偏色或噪声，可能只是场景本身如此：请在点位页面点击“以最近画面作为基准画面”。确认前不判定图像质量，不影响正常率。",
        "en": "Without a reference, the picture looks too bright, striped, colour-cast or noisy, which may be the scene itself: accept it as the reference on the camera page. Until then its picture is not judged and does not count against the normal rate.",
    },
    "more_down": {"zh": "另有故障点位未列出", "en": "More cameras down, not listed"},
    "last_cycle": {"zh": "上一轮在线检测", "en": "Last liveness cycle"},
    "start_lag": {"zh": "最大启动滞后", "en": "max start lag"},
    "today_timeline": {"zh": "今日状态时间线", "en": "Today's timeline"},
    "excluded": {"zh": "维护/豁免", "en": "excluded"},
}


def translator(lang: str):
    lang = "en" if lang == "en" else "zh"

    def t(key: str) -> str:
        entry = STRINGS.get(key)
        return entry[lang] if entry else key

    return t
