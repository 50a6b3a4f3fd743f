"""The cohort HTML opens in a real browser (headless Chromium): no code, figures shown."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
from matplotlib.image import imread

pytestmark = pytest.mark.pipeline

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium not installed (.ci/run installs it)"
)


def chromium(tmp_path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@needs_chromium
def test_ulsan_report_renders_without_code_and_with_figures(built, tmp_path):
    page = built / "results/cohorts/ulsan-peer/2019/report.html"
    dom = chromium(tmp_path, "--dump-dom", page.as_uri()).stdout
    assert "Reconstructed data, not real answers" in dom
    assert "Likert items" in dom and "Participation" in dom
    assert "analyse_cohort(" not in dom  # code cells are hidden
    assert dom.count("data:image/png;base64") >= 3  # participation, Likert, multi-choice


@needs_chromium
def test_ulsan_report_screenshot_is_not_blank(built, tmp_path):
    page = built / "results/cohorts/ulsan-peer/2019/report.html"
    shot = tmp_path / "report.png"
    chromium(tmp_path, "--window-size=1280,2000", f"--screenshot={shot}", page.as_uri())
    pixels = imread(shot)
    assert pixels.shape[:2] == (2000, 1280)
    grey = pixels[..., :3].mean(axis=2)
    # a rendered report: mostly white page with text, tables and coloured figures
    assert 0.5 < float(np.mean(grey > 0.95)) < 0.99
    assert float(np.std(pixels[..., :3])) > 0.05
