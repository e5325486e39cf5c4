"""Deterministic runs: the same code and data give the same scores.

Every registered method (classic and deep, whatever its task) runs twice on a tiny synthetic
dataset, in separate processes with separate caches (so both really fuse),
once with two worker processes and two torch threads, once sequentially with one
thread each. Classic methods must give bit-identical fused images and scores;
deep methods scores within 1e-6. This is what lets the nightly job compare
against committed baselines with tight tolerances.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import methods

DATASET = "synthetic:count=2,size=48"
# every method, whatever its task ("all!"); the ImageNet-feature methods on their seeded
# fabricated weights (the real ones are not available here)
IMAGENET = [arg for name in methods.list_methods("*")
            if getattr(methods.METHODS.get(name), "validation_note", "")
            for arg in ("--param", f"{name}:imagenet_weights=random")]


def _run(tmp_path, tag, jobs, threads):
    out = tmp_path / f"run-{tag}"
    env = dict(os.environ, MPLBACKEND="Agg", OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    res = subprocess.run(
        [sys.executable, "-m", "bench", "run", "--methods", "all!", "--dataset", DATASET, *IMAGENET,
         "--out", str(out), "--cache-dir", str(tmp_path / f"cache-{tag}"), "--jobs", str(jobs),
         "--device", "cpu", "--no-report", "--no-progress"],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    return out


@pytest.mark.slow
def test_two_runs_give_identical_scores(tmp_path):
    first = _run(tmp_path, "a", jobs=2, threads=2)
    second = _run(tmp_path, "b", jobs=1, threads=1)
    key = ["dataset", "pair", "method", "metric", "convention"]
    s1 = pd.read_csv(first / "scores.csv").sort_values(key).reset_index(drop=True)
    s2 = pd.read_csv(second / "scores.csv").sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(s1[key], s2[key])
    # built-in methods only: plugin files other tests loaded into this process are not in the run
    builtin = {n for n in methods.list_methods("*")
               if methods.METHODS.get(n).__module__.startswith("methods.")}
    assert set(s1.method) == builtin, "every built-in method ran"

    deep = s1.method.map(lambda m: methods.METHODS.get(m).kind == "deep").to_numpy()
    assert deep.any() and (~deep).any()
    classic_diff = s1.value[~deep].to_numpy() != s2.value[~deep].to_numpy()
    assert not classic_diff.any(), s1[~deep][classic_diff].assign(other=s2.value[~deep][classic_diff])
    np.testing.assert_allclose(s2.value[deep], s1.value[deep], rtol=0, atol=1e-6,
                               err_msg="deep methods differ between two runs")

    for pair_dir in sorted((first / "images").iterdir()):
        for m in sorted(s1.method[~deep].unique()):
            png = f"{m}.png"
            assert (pair_dir / png).read_bytes() == (second / "images" / pair_dir.name / png).read_bytes(), \
                f"{m}: fused image of {pair_dir.name} differs between runs"
