"""Markdown (tabulate, GitHub pipes) and CSV renderings of result tables (HTML:
:mod:`bench.reports.html`).

Markdown marks the best value ``**bold**`` and the second ``<u>underlined</u>``
(GitHub renders the tag); CSV keeps plain numbers
(mean and std in separate columns) for spreadsheets.

    >>> print(md_cell("0.712", "best"), md_cell("0.700", "second"))
    **0.712** <u>0.700</u>
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from tabulate import tabulate

from bench.reports.tables import Table


def md_cell(text: str, mark: str) -> str:
    return f"**{text}**" if mark == "best" else f"<u>{text}</u>" if mark == "second" else text


def render_markdown(table: Table, plain: bool = False, labels: bool | None = None) -> str:
    """A titled pipe table (``plain=True``: no bold/underline, for a console). Rows show
    the methods' published names (``table.label``) unless ``labels`` is False (default:
    published names in Markdown, registry names, as typed in ``--methods``, on a console)."""
    marks = table.marks()
    named = (not plain) if labels is None else labels
    headers = ["method"] + [f"{c} {table.arrow(c)}" for c in table.columns]
    rows = [
        [table.label(r) if named else r] + [table.cell_text(r, c) if plain else md_cell(table.cell_text(r, c), marks.loc[r, c])
               for c in table.columns]
        for r in table.rows
    ]
    body = tabulate(rows, headers=headers, tablefmt="simple" if plain else "pipe",
                    disable_numparse=True, colalign=("left",) + ("right",) * len(table.columns))
    notes = "".join(f"\n\n_{n}_" for n in table.notes)
    return f"**{table.caption}**\n\n{body}{notes}\n" if not plain else f"{table.caption}\n{body}\n"


def table_frame(table: Table) -> pd.DataFrame:
    """Plain numbers: one column per metric, plus ``<metric>_std`` columns when present."""
    df = table.values.copy()
    if table.std is not None:
        for c in table.columns:
            df.insert(df.columns.get_loc(c) + 1, f"{c}_std", table.std[c])
    df.index.name = "method"
    return df


def write_csv(tables: list[Table], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for t in tables:
        p = out_dir / f"table-{t.name}.csv"
        table_frame(t).to_csv(p, float_format="%.6g")
        paths.append(p)
    return paths


def write_markdown(tables: list[Table], path: Path, title: str, figures: list[Path] = ()) -> Path:
    parts = [f"# {title}\n"] + [render_markdown(t) for t in tables]
    if figures:
        parts.append("## Figures\n")
        parts += [f"![{f.stem}]({f.relative_to(path.parent).as_posix()})\n" for f in figures]
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
