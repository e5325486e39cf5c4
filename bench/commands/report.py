"""``python -m bench report RUN_DIR``: regenerate tables and figures from a run directory.

    python -m bench report runs/lytro-20260101-120000 --format latex,md --per-pair

Nothing is recomputed; see ``docs/running.md`` for the files written.
"""

from __future__ import annotations

import os

from bench.commands._common import split_list

NAME = "report"
HELP = "regenerate tables (LaTeX, Markdown, CSV, HTML) and figures from a run directory"


def _box(text: str | None):
    """``TOP,LEFT,HEIGHT,WIDTH`` (every pair), or a CSV file of ``pair,top,left,height,width``
    rows (a box per pair; a header row is allowed)."""
    if not text:
        return None
    from pathlib import Path

    from bench.errors import ParameterError

    if Path(text).is_file():
        import csv

        boxes = {}
        with open(text, newline="", encoding="utf-8") as fh:
            for k, row in enumerate(csv.reader(fh), start=1):
                if not row or row[0].strip().lower() == "pair" or row[0].startswith("#"):
                    continue
                try:
                    boxes[row[0].strip()] = tuple(int(v) for v in row[1:5])
                    assert len(boxes[row[0].strip()]) == 4
                except (ValueError, AssertionError):
                    raise ParameterError(f"--zoom {text}, line {k}: expected pair,top,left,height,width") from None
        return boxes
    try:
        top, left, h, w = (int(v) for v in text.split(","))
    except ValueError:
        raise ParameterError(f"--zoom {text!r}: expected TOP,LEFT,HEIGHT,WIDTH in pixels, "
                             "or a CSV file of pair,top,left,height,width") from None
    return top, left, h, w


def add_arguments(p):
    p.add_argument("run_dir", help="a run directory written by 'run'")
    p.add_argument("--format", default="latex,md,csv,html", help="comma list of latex, md, csv, html")
    p.add_argument("--per-pair", action="store_true", help="one table per pair as well")
    p.add_argument("--no-figures", action="store_true", help="tables only")
    p.add_argument("--pairs", default=None,
                   help="pairs for figures and per-pair tables (comma list; default: figures of the "
                        "pairs whose images the run kept, bench run --keep-images; tables of all)")
    p.add_argument("--preset", default=None,
                   help="published table layout: lv-cai-2025 (Tables 1-3, one per --pairs), vifb")
    p.add_argument("--rank-baselines", action="store_true",
                   help="let the sanity baselines (average, max-abs) take bold/underline")
    p.add_argument("--zoom", default=None,
                   help="zoom box TOP,LEFT,HEIGHT,WIDTH, or a CSV of pair,top,left,height,width "
                   "(default: where the methods differ most)")
    p.add_argument("--out", default=None, help="output folder (default RUN_DIR/report)")
    p.add_argument("--figure-format", default="png",
                   help="figure files: png (default) or png,pdf (vector copies, slower)")
    p.add_argument("--jobs", "-j", type=int, default=None,
                   help="processes drawing figures (default: CPU count, at most 8)")


def run(args) -> int:
    from bench.reports import build_report
    from bench.reports.build import console_table

    written = build_report(
        args.run_dir,
        formats=split_list(args.format),
        per_pair=args.per_pair,
        figures=not args.no_figures,
        figure_pairs=split_list(args.pairs) or None,
        zoom=_box(args.zoom),
        out_dir=args.out,
        jobs=args.jobs or min(8, os.cpu_count() or 1),
        figure_formats=tuple(split_list(args.figure_format)),
        preset=args.preset,
        rank_baselines=args.rank_baselines,
    )
    if args.preset:  # the preset's own tables (e.g. vifb: ours beside the published table)
        from bench.reports.markdown import render_markdown
        from bench.reports.presets import preset_tables
        from bench.reports.tables import load_results

        for t in preset_tables(load_results(args.run_dir), args.preset,
                               split_list(args.pairs) or None, args.rank_baselines):
            print(render_markdown(t, plain=True, labels=True))
            print("".join(f"  {n}\n" for n in t.notes))
    else:
        print(console_table(args.run_dir))
    n_fig = len([p for p in written["figures"] if p.suffix == ".png"])
    out = args.out or f"{args.run_dir.rstrip('/')}/report"
    print(f"wrote {len(written['tables'])} table files and {n_fig} figures under {out}")
    return 0
