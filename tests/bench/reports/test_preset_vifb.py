"""``bench report --preset vifb``: VIFB's published averages beside a real VIFB run's means.

The run: msvd (VIFB's MSVD, bit-identical to VIFB's file once saved alike) and the
``average`` baseline on VIFB's first pair, scored ``--score-as jpeg75``.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess

import pandas as pd
import pytest

METRICS = ["qabf", "en", "ce"]


@pytest.fixture(scope="module")
def vifb_run(shared_datasets, tmp_path_factory):
    from bench.runner import run_benchmark

    base = tmp_path_factory.mktemp("vifb-preset")
    s = run_benchmark("vifb", data_dir=shared_datasets, methods="msvd,average",
                      metrics=",".join(METRICS), convention="vifb", count=1, score_as="jpeg75",
                      jobs=1, out=base / "run", cache_dir=base / "cache", progress=False)
    assert s.ok
    return base / "run"


def _published(shared_datasets, name: str) -> pd.DataFrame:
    return pd.read_csv(shared_datasets / "vifb" / "published_metrics" / name)


def test_side_by_side_lists_vifbs_25_methods_and_ours(vifb_run, shared_datasets):
    from bench.reports.presets import preset_tables
    from bench.reports.tables import load_results

    res = load_results(vifb_run)
    side, diff = preset_tables(res, "vifb")
    assert (side.name, diff.name) == ("vifb", "vifb-diff")
    avg = _published(shared_datasets, "vifb_metrics_average.csv").set_index("method")
    assert len(avg) == 25
    published_rows = [r for r in side.rows if r.startswith("vifb:")]
    assert [r[5:] for r in published_rows] == list(avg.index)  # VIFB's order, all 25
    # our reproduction comes right after VIFB's row of the same name; extra rows last
    assert side.rows[side.rows.index("vifb:MSVD") + 1] == "msvd"
    assert side.label("msvd") == "MSVD (ours)" and side.label("vifb:MSVD") == "MSVD (VIFB)"
    assert side.rows[-1] == "average" and side.label("average") == "Average (ours)"
    assert side.values.loc["vifb:LatLRR", "qabf"] == pytest.approx(avg.loc["LatLRR", "Qabf"])
    assert side.values.loc["vifb:GFF", "ce"] == pytest.approx(avg.loc["GFF", "Cross_entropy"])
    assert (side.marks().loc["msvd"] == "").all()  # a reproduction is shown, not ranked
    assert "scored as saved by MATLAB imwrite" in side.caption
    assert any("1 of the dataset's 21 pairs" in n for n in side.notes)
    # Δ % of our one-pair mean vs VIFB's 21-pair average, and the within-1 % count
    ours = res.scores.query("method == 'msvd' and metric == 'qabf'")["value"].mean()
    want = 100 * (ours - avg.loc["MSVD", "Qabf"]) / avg.loc["MSVD", "Qabf"]
    assert diff.values.loc["msvd", "qabf"] == pytest.approx(want)
    assert list(diff.rows) == ["msvd"] and diff.label("msvd") == "MSVD"
    n_within = int((diff.values.loc["msvd", METRICS].abs() <= 1.0).sum())
    assert diff.cell_text("msvd", "within") == f"{n_within}/3"


def test_saved_alike_scores_equal_vifbs_per_image_values(vifb_run, shared_datasets):
    """The point of --score-as jpeg75: our MSVD image, saved as VIFB saved it, scores what
    VIFB published for its file of that pair (VIFB's values are rounded to 4 decimals)."""
    from bench.validate.vifb import VIFB_TO_FUSEBENCH

    ours = pd.read_csv(vifb_run / "scores.csv").query("method == 'msvd'")
    pair = ours["pair"].iloc[0]
    per_image = _published(shared_datasets, "vifb_metrics_per_image.csv")
    per_image = per_image[(per_image.image == pair) & (per_image.method == "MSVD")]
    theirs = {VIFB_TO_FUSEBENCH[m]: v for m, v in zip(per_image.metric, per_image.value)}
    for metric, value in zip(ours["metric"], ours["value"]):
        assert value == pytest.approx(theirs[metric], abs=1e-3), metric


def test_without_the_published_file_the_table_is_ours_only(vifb_run, monkeypatch):
    from bench.reports import presets
    from bench.reports.tables import load_results

    vifb = presets.PRESETS["vifb"]
    gone = dataclasses.replace(vifb.published, path="published_metrics/absent.csv")
    monkeypatch.setitem(presets.PRESETS, "vifb", dataclasses.replace(vifb, published=gone))
    (t,) = presets.preset_tables(load_results(vifb_run), "vifb")
    assert list(t.rows) == ["msvd", "average"] and t.label("msvd") == "MSVD"
    assert any("absent.csv not found" in n and "our means only" in n for n in t.notes)


def test_report_command_prints_both_tables_and_latex_compiles(vifb_run, tmp_path, capsys):
    from bench.cli import main

    assert main(["report", str(vifb_run), "--preset", "vifb", "--no-figures",
                 "--format", "latex,md", "--out", str(tmp_path / "rep")]) == 0
    out = capsys.readouterr().out
    assert "MSVD (VIFB)" in out and "MSVD (ours)" in out and "Δ %" in out and "within" in out
    md = (tmp_path / "rep" / "report.md").read_text()
    assert "| MSVD (ours)" in md and "| YDTR (VIFB)" in md
    latex = tmp_path / "rep" / "latex"
    assert "$\\Delta$" in (latex / "table-vifb-diff.tex").read_text()
    if shutil.which("pdflatex") is None:
        pytest.fail("pdflatex not found: install texlive-latex-base (see .ci/run)")
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "all_tables.tex"],
                          cwd=latex, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_a_run_scored_as_stored_is_told_how_vifb_scored(vifb_run):
    from bench.reports.presets import preset_tables
    from bench.reports.tables import load_results

    res = load_results(vifb_run)
    assert not any("--score-as" in n for t in preset_tables(res, "vifb") for n in t.notes)
    res.record["score_as"] = "stored"
    for t in preset_tables(res, "vifb"):
        assert any("this run scored them stored" in n and "--score-as jpeg75" in n for n in t.notes)
