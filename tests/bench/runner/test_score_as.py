"""``--score-as jpeg75``: scores of the fused image saved as VIFB saved its outputs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from bench.errors import ParameterError, RunDirectoryError
from bench.runner import run_benchmark
from bench.score_as import as_scored, check


def _scores(run) -> pd.DataFrame:
    return pd.read_csv(run / "scores.csv").set_index(["pair", "method", "metric"])["value"]


def test_jpeg75_writes_the_tables_and_subsampling_of_vifb_files(shared_datasets):
    """VIFB's fused JPEGs (MATLAB imwrite, quality 75) carry the quantisation tables and
    4:2:0 subsampling our round trip writes; re-saving their decoded file barely moves it."""
    import io

    from PIL import Image, JpegImagePlugin

    from bench.io import read_image

    path = shared_datasets / "vifb" / "fused" / "kettle_MSVD.jpg"
    theirs, _ = read_image(path)
    buf = io.BytesIO()
    Image.fromarray(theirs.astype(np.uint8)).save(buf, format="JPEG", quality=75)
    with Image.open(path) as im, Image.open(buf) as ours:
        assert {k: list(v) for k, v in im.quantization.items()} == {
            k: list(v) for k, v in ours.quantization.items()}
        assert JpegImagePlugin.get_sampling(im) == JpegImagePlugin.get_sampling(ours) == 2  # 4:2:0
    again = as_scored(theirs, "jpeg75")
    assert again.shape == theirs.shape and np.abs(again - theirs).mean() < 1.0


def test_unknown_score_as_is_a_parameter_error():
    with pytest.raises(ParameterError, match="--score-as 'png'"):
        check("png")


def test_run_scores_the_jpeg_round_trip_and_keeps_its_own_cache_keys(tiny_dataset, tmp_path):
    import metrics
    from bench.io import read_image

    kw = dict(methods="average", metrics="qabf,en", jobs=1, cache_dir=tmp_path / "cache",
              progress=False)
    s1 = run_benchmark(tiny_dataset, out=tmp_path / "stored", **kw)
    s2 = run_benchmark(tiny_dataset, out=tmp_path / "jpeg", score_as="jpeg75", **kw)
    assert s1.ok and s2.ok
    assert s2.cached == s2.tasks  # the fused images come from the cache; only scoring is new
    rec = json.loads((tmp_path / "jpeg" / "run.json").read_text())
    assert rec["score_as"] == "jpeg75"
    assert json.loads((tmp_path / "stored" / "run.json").read_text())["score_as"] == "stored"
    stored, saved = _scores(tmp_path / "stored"), _scores(tmp_path / "jpeg")
    assert not np.allclose(stored.values, saved.values)  # JPEG artefacts change the scores
    pair = tiny_dataset["lytro-02"]
    fused, _ = read_image(tmp_path / "jpeg" / "images" / "lytro-02" / "average.png")  # as stored
    want = metrics.compute("qabf", pair.a, pair.b, as_scored(fused, "jpeg75"))
    assert saved.loc["lytro-02", "average", "qabf"] == pytest.approx(want, rel=1e-12)
    s3 = run_benchmark(tiny_dataset, out=tmp_path / "jpeg2", score_as="jpeg75", **kw)
    assert s3.cached == s3.tasks  # its scores are cached now, under their own keys
    s4 = run_benchmark(tiny_dataset, out=tmp_path / "stored2", **kw)
    assert s4.cached == s4.tasks
    assert _scores(tmp_path / "stored2").equals(stored)
    with pytest.raises(RunDirectoryError, match="--score-as jpeg75"):
        run_benchmark(tiny_dataset, out=tmp_path / "jpeg", resume=True, **kw)


def test_cli_run_records_score_as_and_refuses_unknown_values(tmp_path, capsys):
    from bench.cli import main

    out = tmp_path / "run"
    assert main(["run", "--dataset", "synthetic", "--count", "1", "--methods", "average",
                 "--metrics", "en", "--score-as", "jpeg75", "--jobs", "1", "--out", str(out),
                 "--cache-dir", str(tmp_path / "cache"), "--no-report", "--no-progress"]) == 0
    assert json.loads((out / "run.json").read_text())["score_as"] == "jpeg75"
    with pytest.raises(SystemExit):
        main(["run", "--dataset", "synthetic", "--score-as", "png", "--out", str(tmp_path / "x")])
    assert "invalid choice: 'png'" in capsys.readouterr().err
