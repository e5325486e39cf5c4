"""build_report / ``bench report`` work from the run directory alone (the cache is deleted)."""

from __future__ import annotations

import pandas as pd
import pytest

from bench.cli import main
from bench.errors import FusebenchError
from bench.reports import build_report


def test_report_command_prints_the_mean_table(run_dir, tmp_path, capsys):
    rc = main(["report", str(run_dir), "--no-figures", "--format", "csv,md", "--per-pair",
               "--out", str(tmp_path / "rep")])
    assert rc == 0
    out = capsys.readouterr().out
    assert "rmse ↓" in out and "qsf ↑" in out and "max-abs" in out
    mean = pd.read_csv(tmp_path / "rep" / "tables" / "table-mean.csv", index_col="method")
    scores = pd.read_csv(run_dir / "scores.csv")
    expected = scores[scores.metric == "qsf"].groupby("method")["value"].mean()
    assert mean["qsf"].to_dict() == pytest.approx(expected.to_dict(), rel=1e-5)
    assert "qsf_std" in mean.columns
    assert (tmp_path / "rep" / "tables" / "table-pair-lytro-02.csv").is_file()


def test_report_rejects_what_is_not_a_run(tmp_path):
    with pytest.raises(FusebenchError, match="not a run directory"):
        build_report(tmp_path)
    assert main(["report", str(tmp_path)]) == 2


def test_zoom_boxes_per_pair_from_a_csv_file(run_dir, tmp_path):
    from bench.io import read_image

    boxes = tmp_path / "zoom.csv"
    boxes.write_text("pair,top,left,height,width\nlytro-02,30,4,20,20\n")
    assert main(["report", str(run_dir), "--format", "md", "--pairs", "lytro-02", "--zoom", str(boxes),
                 "--out", str(tmp_path / "rep"), "-j", "1"]) == 0
    img, _ = read_image(tmp_path / "rep" / "figures" / "montage-lytro-02.png")
    red = (img[..., 0] > 200) & (img[..., 1] < 40) & (img[..., 2] < 40)
    # the first panel (source A) sits below the title and label bands; its box's top-left
    # corner is drawn at (top, left) of the panel, wherever the automatic box would go
    rows, cols = red[:, :56].nonzero()
    first = rows < rows.min() + 40  # the first grid row: source A's panel
    assert cols[first].min() == 4 and cols[first].max() == 23
    assert rows[first].max() - rows[first].min() == 19
    bad = tmp_path / "bad.csv"
    bad.write_text("lytro-02,1,2,three,4\n")
    assert main(["report", str(run_dir), "--no-figures", "--zoom", str(bad), "--out", str(tmp_path / "x")]) == 2
