"""Markdown (tabulate, GitHub pipes), HTML and CSV renderings of result tables.

Markdown marks the best value ``**bold**`` and the second ``<u>underlined</u>``
(GitHub renders the tag); HTML uses ``<b>`` / ``<u>``; CSV keeps plain numbers
(mean and std in separate columns) for spreadsheets.

    >>> print(md_cell("0.712", "best"), md_cell("0.700", "second"))
    **0.712** <u>0.700</u>
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
from tabulate import tabulate

from bench.reports.tables import Table


def md_cell(text: str, mark: str) -> str:
    return f"**{text}**" if mark == "best" else f"<u>{text}</u>" if mark == "second" else text


def render_markdown(table: Table, plain: bool = False) -> str:
    """A titled pipe table (``plain=True``: no bold/underline, for a console)."""
    marks = table.marks()
    headers = ["method"] + [f"{c} {table.arrow(c)}" for c in table.columns]
    rows = [
        [r] + [table.cell_text(r, c) if plain else md_cell(table.cell_text(r, c), marks.loc[r, c])
               for c in table.columns]
        for r in table.rows
    ]
    body = tabulate(rows, headers=headers, tablefmt="simple" if plain else "pipe",
                    disable_numparse=True, colalign=("left",) + ("right",) * len(table.columns))
    notes = "".join(f"\n\n_{n}_" for n in table.notes)
    return f"**{table.caption}**\n\n{body}{notes}\n" if not plain else f"{table.caption}\n{body}\n"


def render_html(table: Table) -> str:
    marks = table.marks()
    tag = {"best": "b", "second": "u"}
    head = "".join(f"<th>{html.escape(c)} {table.arrow(c)}</th>" for c in table.columns)
    body = []
    for r in table.rows:
        cells = []
        for c in table.columns:
            text = html.escape(table.cell_text(r, c))
            t = tag.get(marks.loc[r, c])
            cells.append(f"<td>{f'<{t}>{text}</{t}>' if t else text}</td>")
        body.append(f"<tr><th>{html.escape(r)}</th>{''.join(cells)}</tr>")
    notes = "".join(f"<p><i>{html.escape(n)}</i></p>" for n in table.notes)
    return (f"<table>\n<caption>{html.escape(table.caption)}</caption>\n"
            f"<tr><th>method</th>{head}</tr>\n" + "\n".join(body) + f"\n</table>{notes}\n")


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


_CSS = ("body{font-family:sans-serif;max-width:1200px;margin:auto}table{border-collapse:collapse;"
        "margin:1em 0}td,th{padding:2px 8px;text-align:right;border-bottom:1px solid #ddd}"
        "th:first-child{text-align:left}caption{font-weight:bold;text-align:left}img{max-width:100%}")


def write_html(tables: list[Table], path: Path, title: str, figures: list[Path] = ()) -> Path:
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
             f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>"]
    parts += [render_html(t) for t in tables]
    if figures:
        parts.append("<h2>Figures</h2>")
        parts += [f"<figure><img src='{f.relative_to(path.parent).as_posix()}'>"
                  f"<figcaption>{html.escape(f.stem)}</figcaption></figure>" for f in figures]
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
