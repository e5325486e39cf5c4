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
