"""Reports from a run directory: tables (LaTeX, Markdown, CSV, HTML) and figures.

Reports only read what a run stored (``scores.csv``, ``run.json``,
``images/``); they never recompute a fusion or a metric::

    from bench.reports import build_report
    out = build_report("runs/lytro-20260101-120000", formats=("latex", "md"))

    >>> from bench.reports.tables import display_name
    >>> display_name("mgff")
    'MGFF'
"""

from bench.reports.build import build_report

__all__ = ["build_report"]
