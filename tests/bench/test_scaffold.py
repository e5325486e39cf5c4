"""``new-method`` scaffolds plugins that work as generated, in all three layouts."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from bench.scaffold import scaffold


def _run(args, env_extra=None, cwd=None):
    env = dict(os.environ)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=cwd)


@pytest.mark.parametrize("deep", [False, True])
def test_single_file_plugin_passes_its_generated_test(tmp_path, deep):
    paths = scaffold("scaf-demo", deep=deep, out_dir=tmp_path)
    assert [p.name for p in paths] == ["scaf_demo.py", "test_scaf_demo.py"]
    res = _run(["-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", str(paths[1])], cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    from methods.testing import CHECKS

    assert f"{len(CHECKS)} passed" in res.stdout  # one test per contract check
    listed = _run(["-m", "bench", "methods", "--plugin", str(paths[0]), "--json"])
    assert listed.returncode == 0, listed.stderr
    info = {m["name"]: m for m in json.loads(listed.stdout)}
    assert info["scaf-demo"]["kind"] == ("deep" if deep else "classic")


def test_in_tree_layout_writes_into_methods_and_tests(tmp_path):
    from bench.errors import FusebenchError

    with pytest.raises(FusebenchError, match="checkout"):
        scaffold("scaf-demo", in_tree=True, repo=tmp_path)
    (tmp_path / "methods").mkdir()
    (tmp_path / "methods" / "base.py").write_text("")
    paths = scaffold("scaf-demo", in_tree=True, repo=tmp_path)
    assert paths == [tmp_path / "methods" / "scaf_demo.py", tmp_path / "tests" / "methods" / "test_scaf_demo.py"]
    # the module is importable as methods.scaf_demo, so `import methods` registers it
    # and the registry-wide contract test covers it
    assert "import methods.scaf_demo" in paths[1].read_text()
    compile(paths[0].read_text(), str(paths[0]), "exec")


def test_refuses_to_overwrite(tmp_path):
    from bench.errors import FusebenchError

    scaffold("scaf-demo", out_dir=tmp_path)
    with pytest.raises(FusebenchError, match="exists"):
        scaffold("scaf-demo", out_dir=tmp_path)


def test_bad_name():
    from bench.errors import FusebenchError

    with pytest.raises(FusebenchError, match="lower-case"):
        scaffold("My Method")


def test_installed_package_registers_through_entry_point(tmp_path):
    """pip-install a scaffolded package into a private target dir; the entry point
    makes `bench methods` list it and `bench run` score it, without any --plugin flag."""
    pkg = tmp_path / "pkg"
    scaffold("ep-demo", package=pkg)
    target = tmp_path / "site"
    res = _run(["-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                "--target", str(target), str(pkg)])
    assert res.returncode == 0, res.stdout + res.stderr
    env = {"PYTHONPATH": os.pathsep.join([str(target), os.environ.get("PYTHONPATH", "")])}
    listed = _run(["-m", "bench", "methods", "--json"], env_extra=env)
    assert listed.returncode == 0, listed.stderr
    names = [m["name"] for m in json.loads(listed.stdout)]
    assert "ep-demo" in names
    tested = _run(["-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                   str(pkg / "tests" / "test_ep_demo.py")], env_extra=env, cwd=tmp_path)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    run_dir = tmp_path / "run"
    ran = _run(["-m", "bench", "run", "--methods", "ep-demo,average", "--dataset", "synthetic:count=2,size=48",
                "--out", str(run_dir), "--cache-dir", str(tmp_path / "cache"), "--jobs", "1",
                "--no-report", "--no-progress"], env_extra=env, cwd=tmp_path)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    scores = pd.read_csv(run_dir / "scores.csv")
    ours = scores[scores.method == "ep-demo"]
    assert sorted(ours.pair.unique()) == sorted(scores.pair.unique()) and len(ours.pair.unique()) == 2
    assert set(ours.metric) == set(scores[scores.method == "average"].metric) >= {"qabf", "qmi"}
    assert ours.value.notna().all()
    # the scaffolded choose-max keeps edges that plain averaging blurs away
    mean = scores.pivot_table(index="method", columns="metric", values="value")
    assert mean.loc["ep-demo", "qabf"] > mean.loc["average", "qabf"], mean
