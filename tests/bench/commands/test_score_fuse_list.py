"""The small CLI commands: score, fuse, metrics, methods (real Lytro images)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import methods
import metrics
from bench.cli import main
from bench.io import read_image


@pytest.fixture(scope="module")
def lytro_files(shared_datasets):
    d = shared_datasets
    return (d / "lytro" / "lytro-01-A.jpg", d / "lytro" / "lytro-01-B.jpg",
            d / "mfifb" / "fused" / "GFF" / "lytro_01_GFF.jpg")


def test_score_json_equals_library(lytro_files, capsys):
    a, b, f = lytro_files
    assert main(["score", str(a), str(b), str(f), "--metrics", "qabf,qsf", "--convention", "vifb", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    arrs = [read_image(p)[0] for p in lytro_files]
    assert out == {
        "convention": "vifb",
        "scores": {m: metrics.compute(m, *arrs, convention="vifb") for m in ("qabf", "qsf")},
    }


def test_score_unknown_convention_is_a_one_line_error(lytro_files, capsys):
    assert main(["score", *map(str, lytro_files), "--convention", "vifbb"]) == 2
    err = capsys.readouterr().err.strip()
    assert "unknown convention 'vifbb'" in err and "default, mefb, vifb" in err
    assert len(err.splitlines()) == 1


def test_score_prints_arrows_and_the_convention(lytro_files, capsys):
    assert main(["score", *map(str, lytro_files), "--metrics", "qabf,qlabf"]) == 0
    out = capsys.readouterr().out
    assert "convention: default" in out
    assert any("qabf" in line and "↑" in line for line in out.splitlines())
    assert any("qlabf" in line and "↓" in line for line in out.splitlines())


def test_score_default_set_skips_metrics_without_the_convention(lytro_files, capsys):
    assert main(["score", *map(str, lytro_files), "--convention", "vifb"]) == 0
    out = capsys.readouterr().out
    assert "qabf" in out and "not scored: qlabf" in out


def test_score_named_metric_without_convention_is_an_error(lytro_files, capsys):
    assert main(["score", *map(str, lytro_files), "--metrics", "qlabf", "--convention", "vifb"]) == 2
    assert "no convention 'vifb'" in capsys.readouterr().err


def test_score_size_mismatch_names_files(lytro_files, shared_datasets, capsys):
    other = shared_datasets / "vifb" / "sources" / "VI" / "carLight.jpg"
    assert main(["score", str(lytro_files[0]), str(other), str(lytro_files[2])]) == 2
    err = capsys.readouterr().err
    assert "carLight.jpg is 460×630" in err and "lytro-01-A.jpg is 520×520" in err


def test_fuse_writes_image_and_decision_map(lytro_files, tmp_path, capsys):
    a, b, _ = lytro_files
    out, dm = tmp_path / "f.png", tmp_path / "d.png"
    assert main(["fuse", str(a), str(b), "-m", "gff", "--param", "r1=30", "-o", str(out),
                 "--decision-map", str(dm)]) == 0
    fused, info = read_image(out)
    expected = np.rint(methods.get_method("gff").fuse(read_image(a)[0], read_image(b)[0], r1="30").image)
    np.testing.assert_array_equal(fused, expected)
    assert read_image(dm)[1].channels == 1


def test_fuse_unknown_parameter(lytro_files, tmp_path, capsys):
    a, b, _ = lytro_files
    assert main(["fuse", str(a), str(b), "-m", "gff", "--param", "r9=1", "-o", str(tmp_path / "x.png")]) == 2
    assert "no parameter 'r9'" in capsys.readouterr().err


def test_metrics_and_methods_listings(capsys):
    assert main(["metrics", "--json"]) == 0
    listed = {m["name"]: m for m in json.loads(capsys.readouterr().out)}
    assert set(listed) == set(metrics.list_metrics())
    assert listed["qlabf"]["direction"].endswith("lower") and "vifb" in listed["qabf"]["conventions"]
    assert listed["qabf"]["module"] == "metrics.edge.qabf" and listed["qabf"]["version"] == "1"
    families = [m["family"] for m in listed.values()]
    assert families == sorted(families)  # sorted by family
    assert main(["metrics", "q*"]) == 0
    table = capsys.readouterr().out
    assert "metrics.edge.loss_artefacts" in table and "↓" in table and "lost in F" in table
    assert main(["methods", "--json"]) == 0
    names = [m["name"] for m in json.loads(capsys.readouterr().out)]
    assert {"gff", "dwt", "cnn-patch", "tlnet"} <= set(names)
