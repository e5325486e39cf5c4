"""--keep-images: which fused images a run copies, images.csv, reports from the cache."""

from __future__ import annotations

import csv
import hashlib
import json

import pytest

from bench.errors import ParameterError
from bench.results import kept_pairs, run_image
from bench.runner import run_benchmark
from bench.runner.cache import FusedCache


def _run(ds, tmp_path, name="r1", **kw):
    return run_benchmark(ds, methods="average,max-abs", metrics="qsf", jobs=1,
                         cache_dir=tmp_path / "cache", out=tmp_path / name, progress=False, **kw)


def _manifest(run):
    with open(run / "images.csv", newline="") as fh:
        return {(r["pair"], r["file"]): r for r in csv.DictReader(fh)}


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_only_the_chosen_pairs_fused_images_are_copied_and_every_image_is_listed(tiny_dataset, tmp_path):
    s = _run(tiny_dataset, tmp_path, keep_images=1)
    assert s.ok and s.computed == 6
    run = tmp_path / "r1"
    names = {p.name: {f.name for f in p.iterdir()} for p in (run / "images").iterdir()}
    assert names["lytro-01"] == {"A.png", "B.png", "average.png", "average.dm.png", "max-abs.png",
                                 "max-abs.dm.png"}
    assert names["lytro-02"] == names["lytro-03"] == {"A.png", "B.png"}
    rows = _manifest(run)
    assert len(rows) == 3 * 6  # A, B, two fused images, two decision maps per pair
    cache = FusedCache(tmp_path / "cache")
    for (pair, file), r in rows.items():
        assert r["kept"] == ("true" if pair == "lytro-01" or file in ("A.png", "B.png") else "false")
        if r["kept"] == "true":
            assert r["sha256"] == _sha(run / "images" / pair / file)
        if file.endswith(".png") and r["method"]:
            # the checksum the cache recorded when it stored the image, independently of the run
            meta = json.loads(cache.meta_path(r["key"]).read_text())
            want = meta["dm_sha256"] if file.endswith(".dm.png") else meta["image_sha256"]
            assert r["sha256"] == want
    assert json.loads((run / "run.json").read_text())["kept_pairs"] == ["lytro-01"]


def test_reports_draw_unkept_pairs_from_the_cache_but_never_from_a_changed_file(tiny_dataset, tmp_path):
    from bench.reports import build_report

    _run(tiny_dataset, tmp_path, keep_images="lytro-02")
    run = tmp_path / "r1"
    got = run_image(run, "lytro-03", "average.png")
    assert got is not None and got.is_relative_to(tmp_path / "cache")
    # by default per-pair figures only of the kept pair; named pairs come from the cache
    written = build_report(run, formats=("html",), jobs=1)
    stems = {p.stem for p in written["figures"]}
    assert "montage-lytro-02" in stems and "montage-lytro-03" not in stems
    named = build_report(run, formats=(), jobs=1, figure_pairs=["lytro-01", "lytro-03"],
                         out_dir=tmp_path / "named")
    assert {"montage-lytro-01", "montage-lytro-03", "decision-lytro-03"} <= {
        p.stem for p in named["figures"]}
    page = (run / "report" / "report.html").read_text()
    data = json.loads(page.split("id='viewer-data'>")[1].split("</script>")[0])
    assert [v["pair"] for v in data] == ["lytro-02"]  # the viewer links only files the run has
    assert "1 of 3 pairs" in page and "--keep-images all" in page
    # a cache file changed after the run is refused, not drawn
    got.write_bytes(got.read_bytes()[:-10] + b"0123456789")
    assert run_image(run, "lytro-03", "average.png") is None
    assert run_image(run, "lytro-02", "average.png") == run / "images" / "lytro-02" / "average.png"


def test_resume_with_keep_all_copies_the_rest_without_recomputing(tiny_dataset, tmp_path):
    _run(tiny_dataset, tmp_path, keep_images="none")
    run = tmp_path / "r1"
    assert not (run / "images" / "lytro-01" / "average.png").exists()
    s = _run(tiny_dataset, tmp_path, keep_images="all", resume=True)
    assert s.cached == 6 and s.computed == 0
    rows = _manifest(run)
    assert all(r["kept"] == "true" for r in rows.values()) and len(rows) == 18
    for (pair, file), r in rows.items():
        assert _sha(run / "images" / pair / file) == r["sha256"]
    assert json.loads((run / "run.json").read_text())["kept_pairs"] == ["lytro-01", "lytro-02",
                                                                       "lytro-03"]


@pytest.mark.parametrize("spec", ["lytro-99", " , "])
def test_an_unknown_pair_or_empty_keep_list_is_refused(spec):
    with pytest.raises(ParameterError, match="--keep-images"):
        kept_pairs(spec, ["lytro-01", "lytro-02"])
