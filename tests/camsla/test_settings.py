"""Settings: defaults, then camsla.toml (or --config), then CAMSLA_* variables; bad ones named."""

from __future__ import annotations

import pytest

from camsla.kernel import SettingsError, load_settings
from tests.camsla.cli_runner import run


def test_defaults_are_the_design_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_settings(environ={})
    assert s.database_url == "sqlite:///camsla.db" and s.timezone == "Asia/Shanghai"
    assert s.stale_after == {"liveness": 300.0, "image": 10_800.0, "recording": 93_600.0}
    assert s.probe.liveness_interval_s == 60 and s.image.interval_s == 900 and s.recording.retention_days == 30


def test_file_then_environment_override_in_that_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "camsla.toml").write_text(
        'timezone = "Europe/Berlin"\n[probe]\ntimeout_s = 2.5\n[stale_after]\nliveness = 120\n', encoding="utf-8"
    )
    s = load_settings(environ={"CAMSLA_PROBE__TIMEOUT_S": "4", "CAMSLA_DATABASE_URL": "sqlite:///x.db"})
    assert s.timezone == "Europe/Berlin" and s.probe.timeout_s == 4.0 and s.database_url == "sqlite:///x.db"
    assert s.stale_after["liveness"] == 120 and s.stale_after["image"] == 10_800  # others keep defaults


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        ('timezone = "Mars/Olympus"\n', {}, "timezone: Value error, unknown timezone 'Mars/Olympus'"),
        ("[probe]\ntimeout_s = -1\n", {}, "probe.timeout_s"),
        ("[probe]\ntimout_s = 1\n", {}, "probe.timout_s: Extra inputs are not permitted"),
        ("[stale_after]\nvideo = 1\n", {}, "unknown check 'video'"),
        ("timezone = \n", {}, "camsla.toml"),
        ("", {"CAMSLA_PROBE__DEFAULT_KINDS": "[tcp"}, "CAMSLA_PROBE__DEFAULT_KINDS: not valid JSON"),
        ("", {"CAMSLA_DATABSE_URL": "sqlite://"}, "databse_url: Extra inputs are not permitted"),
    ],
)
def test_a_bad_setting_is_named_with_the_reason(tmp_path, monkeypatch, toml, env, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "camsla.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(SettingsError) as e:
        load_settings(environ=env)
    assert message in str(e.value)


def test_cli_config_option_and_missing_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CAMSLA_DATABASE_URL", raising=False)
    cfg = tmp_path / "other.toml"
    cfg.write_text(f'database_url = "sqlite:///{tmp_path / "other.db"}"\n', encoding="utf-8")
    r = run("--config", str(cfg), "db", "upgrade")
    assert r.exit_code == 0 and "other.db" in r.output
    assert (tmp_path / "other.db").exists()
    r = run("--config", str(tmp_path / "missing.toml"), "db", "upgrade")
    assert r.exit_code == 1 and "missing.toml: no such settings file" in r.output
