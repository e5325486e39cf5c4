"""The LaTeX tables compile with pdflatex (CI installs Debian's texlive)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

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
    assert "\\toprule" in mean and "\\textbf{" in mean and "\\underline{" in mean
    assert "rmse $\\downarrow$" in mean and "max-abs" in mean
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "all_tables.tex"],
                          cwd=latex, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert (latex / "all_tables.pdf").stat().st_size > 1000


def test_escape_specials():
    assert escape("a_b & 5% #1 {x} ~^$\\") == (
        "a\\_b \\& 5\\% \\#1 \\{x\\} \\textasciitilde{}\\textasciicircum{}\\$\\textbackslash{}"
    )
