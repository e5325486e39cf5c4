"""Acceptance 2 of issue 8, end to end with the real CLI.

A tiny run of two single-file plugins is saved as a baseline; one plugin is
then edited to blur its output (same ``version``: an unintended change) and
the run repeated. ``bench regress`` must exit 1, name the blurring method and
the sharpness metrics that dropped, and leave the untouched method alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd

DATASET = "synthetic:count=2,size=64"

PLUGIN = '''"""Test plugin {name}: per-pixel choose-max of local contrast, optionally blurred."""

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter, uniform_filter

from bench.color import luma
from methods.base import FusionMethod, FusionResult, register_method

BLUR_SIGMA = {sigma}  # > 0: blur the fused image (the "regression")


@register_method
class Plugin(FusionMethod):
    name = "{name}"
    version = "1"
    kind = "classic"
    modalities = ("multi-focus",)
    colour = "gray-weights"
    citation = "test plugin"

    @dataclass
    class Params:
        size: int = 7

    def run(self, a, b, params):
        ga, gb = luma(a), luma(b)
        ca = uniform_filter((ga - uniform_filter(ga, params.size)) ** 2, params.size)
        cb = uniform_filter((gb - uniform_filter(gb, params.size)) ** 2, params.size)
        w = (ca >= cb).astype(np.float64)
        fused = w[..., None] * a + (1.0 - w[..., None]) * b
        if BLUR_SIGMA > 0:
            fused = gaussian_filter(fused, (BLUR_SIGMA, BLUR_SIGMA, 0))
        return FusionResult(image=fused, decision_map=w)
'''


def _bench(*args, cwd):
    env = dict(os.environ, MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-m", "bench", *map(str, args)],
                          capture_output=True, text=True, env=env, cwd=cwd)


def _run(tmp_path, plugins, tag):
    out = tmp_path / f"run-{tag}"
    res = _bench("run", *[x for p in plugins for x in ("--plugin", p)],
                 "--methods", "reg-steady,reg-victim", "--dataset", DATASET,
                 "--out", out, "--cache-dir", tmp_path / f"cache-{tag}",  # fresh cache: really re-fuse
                 "--jobs", "1", "--no-report", "--no-progress", cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    return out


def test_blurred_plugin_is_flagged_and_the_other_is_not(tmp_path):
    steady, victim = tmp_path / "steady.py", tmp_path / "victim.py"
    steady.write_text(PLUGIN.format(name="reg-steady", sigma=0.0))
    victim.write_text(PLUGIN.format(name="reg-victim", sigma=0.0))

    base_run = _run(tmp_path, [steady, victim], "base")
    saved = _bench("baseline", "save", base_run, "--name", "tiny", "--out-dir", tmp_path / "baselines",
                   cwd=tmp_path)
    assert saved.returncode == 0, saved.stderr
    baseline = tmp_path / "baselines" / "tiny.csv"
    header = json.loads((tmp_path / "baselines" / "tiny.json").read_text())
    assert header["methods"] == ["reg-steady", "reg-victim"] and header["rows"] == len(pd.read_csv(baseline))

    # Unchanged code: the re-run matches the baseline exactly and regress exits 0.
    same_run = _run(tmp_path, [steady, victim], "same")
    same = _bench("regress", same_run, "--baseline", baseline, "--atol", "0", cwd=tmp_path)
    assert same.returncode == 0, same.stdout + same.stderr

    victim.write_text(PLUGIN.format(name="reg-victim", sigma=1.5))  # same version "1"
    blurred_run = _run(tmp_path, [steady, victim], "blurred")
    report_dir = tmp_path / "report"
    res = _bench("regress", blurred_run, "--baseline", baseline, "--report", report_dir, cwd=tmp_path)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "regressed methods: reg-victim" in res.stdout
    assert "reg-steady" not in res.stdout  # only changes are listed; the steady method has none

    report = json.loads((report_dir / "regression.json").read_text())
    regressions = [c for c in report["changes"] if c["status"] == "regression"]
    assert {c["method"] for c in regressions} == {"reg-victim"}
    dropped = {c["metric"] for c in regressions}
    assert {"qabf", "qag", "qsf"} <= dropped, dropped  # blur removes edges and gradients
    for c in regressions:
        assert c["new"] != c["old"] and c["pair"].startswith("synthetic-")
    assert "reg-victim" in (report_dir / "regression.md").read_text()
