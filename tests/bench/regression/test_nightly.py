"""benchmarks/nightly.py options: pinned threads, --cache-dir only for --save-baselines."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "nightly.py"


@pytest.fixture
def nightly(monkeypatch):
    spec = importlib.util.spec_from_file_location("nightly_under_test", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for var in mod.THREAD_VARS:
        monkeypatch.setenv(var, "4")  # a caller's setting the nightly must override
    calls = []

    def fake_bench(*args):
        calls.append(([str(a) for a in args], {v: os.environ[v] for v in mod.THREAD_VARS}))
        return 0

    monkeypatch.setattr(mod, "bench", fake_bench)
    monkeypatch.setattr(mod, "nightly_methods", lambda: "average")
    mod.calls = calls
    return mod


def test_runs_use_one_thread_and_a_reused_cache_is_kept(nightly, tmp_path):
    cache = tmp_path / "warm-cache"
    (cache / "fused").mkdir(parents=True)
    rc = nightly.main(["--save-baselines", "--only", "synthetic", "--out", str(tmp_path / "out"),
                       "--baseline-dir", str(tmp_path / "base"), "--cache-dir", str(cache)])
    assert rc == 0
    (run_args, env), (save_args, _) = nightly.calls
    assert set(env.values()) == {"1"}
    assert run_args[run_args.index("--cache-dir") + 1] == str(cache.resolve())
    assert (cache / "fused").is_dir()  # reused, not deleted
    assert save_args[:2] == ["baseline", "save"]


def test_cache_dir_is_refused_when_comparing(nightly, tmp_path):
    with pytest.raises(SystemExit):
        nightly.main(["--only", "synthetic", "--out", str(tmp_path), "--cache-dir", str(tmp_path)])
    assert nightly.calls == []
