"""The LaTeX tables compile with pdflatex (CI installs Debian's texlive)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from bench.errors import FusebenchError
from bench.reports import build_report
from bench.reports.latex import escape


def test_all_tables_compiles(run_dir, tmp_path):
    if shutil.which("pdflatex") is None:
        pytest.fail("pdflatex not found: install texlive-latex-base texlive-latex-recommended (see .ci/run)")
    out = tmp_path / "report"
    build_report(run_dir, formats=("latex",), per_pair=True, figures=False, out_dir=out)
    latex = out / "latex"
    tables = sorted(p.name for p in latex.glob("table-*.tex"))
    assert tables == sorted(["table-mean.tex", "table-rank.tex", "table-time.tex", "table-pair-lytro-01.tex",
                             "table-pair-lytro-02.tex", "table-pair-lytro-03.tex"])
    main = (latex / "all_tables.tex").read_text()
    assert all(f"\\input{{{t}}}" in main for t in tables)
    mean = (latex / "table-mean.tex").read_text()
    assert "\\toprule" in mean
    # math heads from the metric registry, published row names, baselines greyed last
    assert "$\\mathrm{RMSE}\\downarrow$" in mean and "$Q^{SF}\\uparrow$" in mean
    assert mean.index("MSVD &") < mean.index("\\fbbaseline{Max-abs}")
    assert "default metric convention" in mean and "MSVD v" in mean
    ranked_out = tmp_path / "ranked"
    build_report(run_dir, formats=("latex",), figures=False, out_dir=ranked_out, rank_baselines=True)
    ranked = (ranked_out / "latex" / "table-mean.tex").read_text()
    assert "\\textbf{" in ranked and "\\underline{" in ranked
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "all_tables.tex"],
                          cwd=latex, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert (latex / "all_tables.pdf").stat().st_size > 1000


def test_lv_cai_preset_orders_rows_and_compiles_as_input(run_dir, tmp_path):
    out = tmp_path / "rep"
    build_report(run_dir, formats=("latex",), figures=False, out_dir=out, preset="lv-cai-2025",
                 figure_pairs=["lytro-03", "lytro-01"])
    latex = out / "latex"
    assert sorted(p.name for p in latex.glob("table-*.tex")) == [
        "table-lv-cai-2025-lytro-01.tex", "table-lv-cai-2025-lytro-03.tex"]
    first = (latex / "table-lv-cai-2025-lytro-03.tex").read_text()
    assert "Source image 1 quantitative" in first and "pair lytro-03" in first
    # the run has msvd only among the paper's methods; the others are named as left out
    assert "MSVD &" in first and "ASR, CSR, DWT, GD, MSTSR, MGIVF, PCA, Proposed method" in first
    # the fixture scored qsf and rmse: only Q^SF of the five indices, the rest noted
    assert "$Q^{SF}\\uparrow$" in first and "RMSE" not in first.split("toprule")[1].split("midrule")[0]
    # a paper that loads booktabs only (no xcolor) can \input the fragment unchanged
    doc = tmp_path / "paper.tex"
    doc.write_text("\\documentclass{article}\\usepackage{booktabs}\\begin{document}\n"
                   f"\\input{{{latex / 'table-lv-cai-2025-lytro-03.tex'}}}\n\\end{{document}}\n")
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", doc.name],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_unknown_preset_and_pair_are_user_errors(run_dir, tmp_path):
    with pytest.raises(FusebenchError, match="unknown --preset 'nope'"):
        build_report(run_dir, formats=("latex",), figures=False, out_dir=tmp_path, preset="nope")
    with pytest.raises(FusebenchError, match="--pairs: lytro-99 not in the run"):
        build_report(run_dir, formats=("latex",), figures=False, out_dir=tmp_path,
                     preset="lv-cai-2025", figure_pairs=["lytro-99"])


def test_escape_specials():
    assert escape("a_b & 5% #1 {x} ~^$\\") == (
        "a\\_b \\& 5\\% \\#1 \\{x\\} \\textasciitilde{}\\textasciicircum{}\\$\\textbackslash{}"
    )


def test_vifb_preset_is_one_average_table_in_vifb_metric_order(run_dir):
    from bench.reports.presets import preset_tables
    from bench.reports.tables import load_results

    res = load_results(run_dir)
    (t,) = preset_tables(res, "vifb")
    assert t.columns == ["rmse", "qsf"]  # VIFB lists RMSE before SF
    scores = res.scores
    for m in ("msvd", "average"):
        mean = scores[(scores.method == m) & (scores.metric == "qsf")]["value"].mean()
        assert t.values.loc[m, "qsf"] == pytest.approx(mean)
    assert t.std is None and "3 pairs" in t.caption
    assert any("ssim" in n for n in t.notes)  # metrics of the layout the run lacks are named
