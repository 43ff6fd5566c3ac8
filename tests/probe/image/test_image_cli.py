from __future__ import annotations

import json

import cv2
import pytest
from typer.testing import CliRunner

from camsla.cli import app
from probe.image.evalset import black, jpeg

runner = CliRunner()


@pytest.fixture()
def frame_file(tmp_path, scene):
    path = tmp_path / "frame.jpg"
    path.write_bytes(jpeg(scene, 90))
    return path


def test_json_has_faults_and_metrics_and_exits_0_when_normal(frame_file, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["analyze", str(frame_file), "--reference", str(frame_file), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["faults"] == []
    assert isinstance(out["metrics"], dict) and "luma_p95" in out["metrics"]


def test_faults_found_still_exit_0(tmp_path, rng, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "black.png"
    cv2.imwrite(str(path), black((360, 640, 3), rng))
    result = runner.invoke(app, ["analyze", str(path), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["faults"] == ["black_screen"]


def test_previous_frame_gives_frozen(frame_file, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["analyze", str(frame_file), "--previous", str(frame_file), "--json"])
    assert json.loads(result.stdout)["faults"] == ["frozen"]


def test_missing_file_is_an_error_naming_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["analyze", str(tmp_path / "nope.jpg"), "--json"])
    assert result.exit_code != 0
    assert "nope.jpg" in result.output


def test_unreadable_reference_is_an_error_naming_it(frame_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bad = tmp_path / "ref.jpg"
    bad.write_bytes(b"not an image")
    result = runner.invoke(app, ["analyze", str(frame_file), "--reference", str(bad)])
    assert result.exit_code != 0
    assert "ref.jpg" in result.output and "--reference" in result.output


def test_text_summary_uses_chinese_labels(tmp_path, rng, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "black.png"
    cv2.imwrite(str(path), black((360, 640, 3), rng))
    result = runner.invoke(app, ["analyze", str(path)])
    assert result.exit_code == 0
    assert "黑屏" in result.stdout and "black_screen" in result.stdout
