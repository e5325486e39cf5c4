"""``report.html``: one self-contained page (no CDN, works offline) for a run.

* every table sortable: click a column head to sort by it (again to reverse);
  cells carry their raw value in ``data-v``, so sorting is numeric;
* a per-pair viewer: all methods' outputs side by side, zoom (mouse wheel or
  the +/− buttons) and pan (drag) synchronised across the panels; a click on a
  panel flicks it between the method's output, source A and source B (and the
  ground truth when there is one); "decision maps" swaps in the decision maps of
  the methods that stored one, loaded only when asked;
* the figures, linked.

Images are not embedded: the page references the run directory's
``images/<pair>/`` files (and ``figures/``) by relative path, so it stays
small and opens wherever the run directory is.

    >>> from bench.reports.tables import Table
    >>> import pandas as pd
    >>> t = Table("x", "cap", pd.DataFrame({"qabf": [0.5, 0.25]}, index=["pca", "dwt"]), {"qabf": True})
    >>> '<td data-v="0.25"><u>0.250</u></td>' in render_table(t)
    True
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

import pandas as pd

from bench.reports.tables import Table

_TAG = {"best": "b", "second": "u"}


def render_table(table: Table) -> str:
    """A sortable ``<table>`` (best bold, second underlined, baselines greyed)."""
    marks = table.marks()
    head = "".join(f'<th data-col="{k + 1}" title="click to sort">{html.escape(c)} {table.arrow(c)}</th>'
                   for k, c in enumerate(table.columns))
    body = []
    for r in table.rows:
        cells = []
        for c in table.columns:
            v = table.values.loc[r, c]
            text = html.escape(table.cell_text(r, c))
            t = _TAG.get(marks.loc[r, c])
            raw = "" if pd.isna(v) else repr(float(v))
            cells.append(f'<td data-v="{raw}">{f"<{t}>{text}</{t}>" if t else text}</td>')
        cls = ' class="baseline"' if table.is_baseline(r) else ""
        body.append(f'<tr{cls}><th data-v="{html.escape(table.label(r))}">{html.escape(table.label(r))}'
                    f"</th>{''.join(cells)}</tr>")
    notes = "".join(f"<p class='note'>{html.escape(n)}</p>" for n in table.notes)
    return (f'<table class="sortable" id="table-{html.escape(table.name)}">\n'
            f"<caption>{html.escape(table.caption)}</caption>\n"
            f'<thead><tr><th data-col="0" title="click to sort">method</th>{head}</tr></thead>\n'
            "<tbody>\n" + "\n".join(body) + f"\n</tbody></table>{notes}\n")


def viewer_data(run_dir: Path, page: Path, pairs: list[str], methods: list[str],
                labels: dict[str, str]) -> list[dict]:
    """Per pair: relative paths (from the page) of its sources, outputs and decision maps."""
    from bench.results import pair_folder

    out = []
    for pair in pairs:
        d = run_dir / "images" / pair_folder(pair)
        if not d.is_dir():
            continue

        def rel(p: Path) -> str:
            return Path(os.path.relpath(p, page.parent)).as_posix()

        sources = {r: rel(d / f"{r}.png") for r in ("A", "B", "GT") if (d / f"{r}.png").is_file()}
        rows = [{"method": m, "label": labels.get(m, m), "img": rel(d / f"{m}.png"),
                 "dm": rel(d / f"{m}.dm.png") if (d / f"{m}.dm.png").is_file() else None}
                for m in methods if (d / f"{m}.png").is_file()]
        if rows and "A" in sources and "B" in sources:
            out.append({"pair": pair, "sources": sources, "methods": rows})
    return out


_CSS = """
body{font-family:sans-serif;margin:1em auto;max-width:1400px;padding:0 1em}
table{border-collapse:collapse;margin:1em 0}td,th{padding:2px 8px;text-align:right;
border-bottom:1px solid #ddd}tbody th,thead th:first-child{text-align:left}
thead th{cursor:pointer;user-select:none;background:#f4f4f4}thead th.asc:after{content:" \\25B2"}
thead th.desc:after{content:" \\25BC"}caption{font-weight:bold;text-align:left}
tr.baseline{color:#999}p.note{font-style:italic;font-size:90%}
#viewer .bar{margin:.5em 0;display:flex;gap:.5em;align-items:center;flex-wrap:wrap}
#panels{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:8px}
.panel{position:relative;border:1px solid #ccc;background:#222}
.panel .view{overflow:hidden;height:260px;cursor:grab;position:relative}
.panel img{position:absolute;left:0;top:0;transform-origin:0 0;image-rendering:pixelated;
max-width:none;user-select:none;-webkit-user-drag:none}
.panel .label{position:absolute;left:4px;top:4px;background:rgba(255,255,255,.85);
padding:1px 5px;font-size:13px;z-index:2;pointer-events:none}
figure img{max-width:100%}
"""

# The viewer: state {scale, x, y} shared by every panel; 'fit' makes the image fill a panel.
_JS = r"""
(function(){
function cellValue(tr, col){
  var c = tr.children[col]; var v = c.getAttribute('data-v');
  if (v === null || v === '') return null;
  var n = parseFloat(v); return isNaN(n) ? v.toLowerCase() : n;
}
document.querySelectorAll('table.sortable').forEach(function(table){
  table.querySelectorAll('thead th').forEach(function(th){
    th.addEventListener('click', function(){
      var col = +th.getAttribute('data-col');
      var asc = !th.classList.contains('asc');
      table.querySelectorAll('thead th').forEach(function(h){h.classList.remove('asc','desc');});
      th.classList.add(asc ? 'asc' : 'desc');
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function(a, b){
        var x = cellValue(a, col), y = cellValue(b, col);
        if (x === null) return 1; if (y === null) return -1;
        var r = x < y ? -1 : x > y ? 1 : 0; return asc ? r : -r;
      });
      rows.forEach(function(r){body.appendChild(r);});
    });
  });
});
var data = JSON.parse(document.getElementById('viewer-data').textContent);
var root = document.getElementById('viewer');
if (!root || !data.length) return;
var select = document.getElementById('pair');
var panels = document.getElementById('panels');
var mapsBox = document.getElementById('maps');
var state = {scale: 1, x: 0, y: 0};
var views = [];
var drag = null;
window.addEventListener('mousemove', function(e){
  if (!drag) return; var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
  if (Math.abs(dx) + Math.abs(dy) > 2) drag.moved = true;
  state.x += dx; state.y += dy; drag.x = e.clientX; drag.y = e.clientY; apply();
});
window.addEventListener('mouseup', function(){
  if (drag && !drag.moved) flick(drag.view, drag.roles, drag.p);
  drag = null;
});
data.forEach(function(p, k){
  var o = document.createElement('option'); o.value = k; o.textContent = p.pair; select.appendChild(o);
});
function apply(){
  views.forEach(function(v){
    v.img.style.transform = 'translate(' + state.x + 'px,' + state.y + 'px) scale(' + state.scale + ')';
  });
  root.setAttribute('data-scale', state.scale.toFixed(4));
}
function fit(){
  var v = views[0]; if (!v || !v.img.naturalWidth) return;
  state.scale = v.box.clientWidth / v.img.naturalWidth; state.x = 0; state.y = 0; apply();
}
function zoomAt(factor, cx, cy){
  state.x = cx - (cx - state.x) * factor; state.y = cy - (cy - state.y) * factor;
  state.scale *= factor; apply();
}
function show(k){
  var p = data[k]; panels.innerHTML = ''; views = [];
  var roles = ['A', 'B'].concat(p.sources.GT ? ['GT'] : []);
  p.methods.forEach(function(m){
    var panel = document.createElement('div'); panel.className = 'panel';
    panel.setAttribute('data-method', m.method);
    var label = document.createElement('div'); label.className = 'label'; label.textContent = m.label;
    var box = document.createElement('div'); box.className = 'view';
    var img = document.createElement('img'); img.src = m.img; img.alt = m.label; img.draggable = false;
    box.appendChild(img); panel.appendChild(label); panel.appendChild(box); panels.appendChild(panel);
    var v = {m: m, img: img, box: box, label: label, shown: -1};
    views.push(v);
    box.addEventListener('wheel', function(e){
      e.preventDefault(); var r = box.getBoundingClientRect();
      zoomAt(e.deltaY < 0 ? 1.25 : 0.8, e.clientX - r.left, e.clientY - r.top);
    }, {passive: false});
    box.addEventListener('mousedown', function(e){
      e.preventDefault(); drag = {x: e.clientX, y: e.clientY, moved: false, view: v, roles: roles, p: p};
    });
  });
  views[0].img.addEventListener('load', fit, {once: true});
  if (views[0].img.complete) fit();
  setMaps();
}
function flick(v, roles, p){
  v.shown = v.shown + 1 >= roles.length ? -1 : v.shown + 1;
  if (v.shown < 0) { v.img.src = v.m.img; v.label.textContent = v.m.label; }
  else { v.img.src = p.sources[roles[v.shown]]; v.label.textContent = v.m.label + ': source ' + roles[v.shown]; }
  v.img.parentNode.parentNode.setAttribute('data-shown', v.shown < 0 ? 'method' : roles[v.shown]);
}
function setMaps(){
  views.forEach(function(v){
    if (!v.m.dm) { v.box.parentNode.style.opacity = mapsBox.checked ? 0.35 : 1; return; }
    v.img.src = mapsBox.checked ? v.m.dm : v.m.img; v.shown = -1;
    v.label.textContent = v.m.label + (mapsBox.checked ? ': decision map' : '');
  });
}
select.addEventListener('change', function(){ show(+select.value); });
mapsBox.addEventListener('change', setMaps);
document.getElementById('zoom-in').addEventListener('click', function(){ zoomAt(1.5, 0, 0); });
document.getElementById('zoom-out').addEventListener('click', function(){ zoomAt(1 / 1.5, 0, 0); });
document.getElementById('zoom-fit').addEventListener('click', fit);
window.fusebenchViewer = {state: state, zoomAt: zoomAt, show: show};
show(0);
})();
"""


def write_html(tables: list[Table], path: Path, title: str, figures: list[Path] = (),
               viewer: list[dict] | None = None, viewer_note: str = "") -> Path:
    """Write the page: tables, the per-pair viewer (``viewer``: :func:`viewer_data`), figures.

    ``viewer_note``: a sentence under the viewer's heading (e.g. which pairs' full images
    the run kept)."""
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
             f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>"]
    parts += [render_table(t) for t in tables]
    if viewer_note:
        parts.append(f"<p class='note' id='viewer-note'>{html.escape(viewer_note)}</p>")
    if viewer:
        parts.append(
            "<h2>Viewer</h2><div id='viewer'><div class='bar'><label>pair <select id='pair'></select>"
            "</label><button id='zoom-in'>+</button><button id='zoom-out'>&minus;</button>"
            "<button id='zoom-fit'>fit</button><label><input type='checkbox' id='maps'> decision maps"
            "</label><span>wheel: zoom (all panels) &middot; drag: pan &middot; click: flick to "
            "source A / B</span></div><div id='panels'></div></div>")
    data = json.dumps(viewer or []).replace("</", "<\\/")
    parts.append(f"<script type='application/json' id='viewer-data'>{data}</script>")
    if figures:
        parts.append("<h2>Figures</h2>")
        parts += [f"<figure><a href='{f.relative_to(path.parent).as_posix()}'><img loading='lazy' "
                  f"src='{f.relative_to(path.parent).as_posix()}'></a>"
                  f"<figcaption>{html.escape(f.stem)}</figcaption></figure>" for f in figures]
    parts.append(f"<script>{_JS}</script></body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
