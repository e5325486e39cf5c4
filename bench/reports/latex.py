"""LaTeX (booktabs) rendering of result tables.

Each table becomes ``table-<name>.tex``: a ``table`` float that a paper can
``\\input`` unchanged (it needs only ``\\usepackage{booktabs}``; with ``xcolor``
loaded the baselines are grey, without it italic). Column heads are the
metrics' symbols in math (``$Q^{AB/F}\\uparrow$``, from
:attr:`metrics.base.Metric.symbol`), rows the methods' published names, the
caption names dataset, pair, metric convention and method versions.
``all_tables.tex`` is a stand-alone document built from
``templates/all_tables.tex`` that inputs them all.

Best values are ``\\textbf``, second best ``\\underline``, decided on the
printed values: every value tied at the printed precision gets the mark. The
sanity baselines (``average``, ``max-abs``) come last, below a rule, in grey,
and take no mark unless the table was built with ``rank_baselines``.

    >>> print(escape("max-abs_2 & 50%"))
    max-abs\\_2 \\& 50\\%
"""

from __future__ import annotations

from pathlib import Path

from bench.reports.tables import Table

TEMPLATE = Path(__file__).with_name("templates") / "all_tables.tex"
_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
            "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
            "±": r"$\pm$", "–": "--", "×": r"$\times$", "↑": r"$\uparrow$", "↓": r"$\downarrow$",
            # pdflatex's default OT1 text font has no |, <, > (they print as —, ¡, ¿)
            "Δ": r"$\Delta$", "−": r"$-$", "≤": r"$\le$", "|": r"$|$", "<": r"$<$", ">": r"$>$"}


def escape(text: str) -> str:
    """Escape LaTeX special characters in plain text."""
    return "".join(_SPECIAL.get(c, c) for c in str(text))


# grey when xcolor is loaded, italic otherwise: the fragment compiles with booktabs alone
_GREY = (r"\providecommand{\fbbaseline}[1]{\ifdefined\textcolor\textcolor{gray}{#1}"
         r"\else\textit{#1}\fi}")


def _cell(table: Table, row: str, col: str, mark: str) -> str:
    text = table.cell_text(row, col, pm=r" $\pm$ ")
    text = text.replace("–", "--")
    if table.is_baseline(row) and not mark:
        return rf"\fbbaseline{{{text}}}"
    if mark == "best":
        return rf"\textbf{{{text}}}"
    if mark == "second":
        return rf"\underline{{{text}}}"
    return text


def header(table: Table, col: str) -> str:
    r"""A column head: the metric's symbol and direction in math.

    >>> from bench.reports.tables import Table
    >>> import pandas as pd
    >>> t = Table("x", "", pd.DataFrame({"qabf": [0.5]}), {"qabf": True}, symbols={"qabf": "Q^{AB/F}"})
    >>> print(header(t, "qabf"))
    $Q^{AB/F}\uparrow$
    """
    arrow = r"\uparrow" if table.higher_is_better[col] else r"\downarrow"
    return f"${table.symbol(col)}{arrow}$"


def _size(table: Table) -> tuple[str, str]:
    """Font size and column separation that keep a wide table within a page's text width
    (estimated from the printed characters per row; no graphicx ``\\resizebox`` needed)."""
    chars = max(len(table.label(r)) for r in table.rows) + sum(
        max(len(table.cell_text(r, c)) for r in table.rows) for c in table.columns)
    if chars <= 80:
        return r"\small", "6pt"
    if chars <= 110:
        return r"\footnotesize", "4pt"
    return r"\scriptsize", "3pt"


def render_table(table: Table, label_prefix: str = "tab:fusebench-") -> str:
    """One booktabs ``table`` environment (preceded by the baseline-grey macro)."""
    marks = table.marks()
    size, sep = _size(table)
    head = " & ".join(["Method"] + [header(table, c) for c in table.columns])
    lines = [
        f"% fusebench table {table.name}: \\input in a document with \\usepackage{{booktabs}}",
        _GREY,
        r"\begin{table}[htbp]",
        r"\centering",
        size,
        rf"\setlength{{\tabcolsep}}{{{sep}}}",
        rf"\caption{{{escape(table.caption)}}}",
        rf"\label{{{label_prefix}{table.name}}}",
        r"\begin{tabular}{l" + "r" * len(table.columns) + "}",
        r"\toprule",
        head + r" \\",
        r"\midrule",
    ]
    ruled = False
    for row in table.rows:
        label = escape(table.label(row))
        if table.is_baseline(row):
            if not ruled and len(table.rows) > len(table.baselines):
                lines.append(r"\midrule")
            ruled = True
            label = rf"\fbbaseline{{{label}}}"
        cells = [label] + [_cell(table, row, c, marks.loc[row, c]) for c in table.columns]
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    for note in table.notes:
        lines.append(rf"\par\smallskip{{\footnotesize {escape(note)}}}")
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


def write_latex(tables: list[Table], out_dir: Path, title: str = "fusebench results",
                info: str = "") -> list[Path]:
    """Write ``table-<name>.tex`` per table and ``all_tables.tex``; return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths, inputs = [], []
    for i, t in enumerate(tables):
        p = out_dir / f"table-{t.name}.tex"
        p.write_text(render_table(t), encoding="utf-8")
        paths.append(p)
        inputs.append(rf"\input{{{p.name}}}")
        if (i + 1) % 10 == 0:
            inputs.append(r"\clearpage")  # avoid 'too many unprocessed floats'
    doc = (
        TEMPLATE.read_text(encoding="utf-8")
        .replace("%%TITLE%%", escape(title))
        .replace("%%INFO%%", escape(info))
        .replace("%%TABLES%%", "\n".join(inputs))
    )
    main = out_dir / "all_tables.tex"
    main.write_text(doc, encoding="utf-8")
    return [main, *paths]
