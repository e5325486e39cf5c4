"""Scaffolding for new method plugins (``python -m bench new-method``).

Three layouts:

- single file (default): ``OUT/<module>.py`` + ``OUT/test_<module>.py``; run it
  with ``python -m bench run --plugin OUT/<module>.py``;
- in-tree (``--in-tree``): ``methods/<module>.py`` + ``tests/methods/test_<module>.py``
  inside a fusebench checkout; the registry-wide contract test covers it too;
- package (``--package DIR``): an installable distribution that registers
  through the ``fusebench.methods`` entry point.

The generated method works as generated (a local-sharpness choose-max rule,
or for ``--deep`` a small torch focus network with fixed kernels) and passes
the contract checks of :mod:`methods.testing`; replace its ``run`` with yours.
"""

from __future__ import annotations

import re
from pathlib import Path

from bench.errors import FusebenchError

_CLASSIC_BODY = '''
    @dataclass
    class Params:
        sigma: float = 2.0  # smoothing of the local sharpness measure (pixels)

    def run(self, a, b, params):
        """Per pixel, take the source with more local Laplacian energy (on grey)."""
        from scipy.ndimage import gaussian_filter, laplace

        ea = gaussian_filter(laplace(luma(a)) ** 2, params.sigma)
        eb = gaussian_filter(laplace(luma(b)) ** 2, params.sigma)
        w = (ea >= eb).astype(np.float64)  # weight of A: the decision map
        wc = w[..., None] if a.ndim == 3 else w
        return FusionResult(image=wc * a + (1.0 - wc) * b, decision_map=w)
'''

_DEEP_BODY = '''
    @dataclass
    class Params:
        weights: str | None = None  # path to a state dict (None: the fixed kernels of FocusNet)
        device: str = "auto"  # auto | cpu | cuda

    def run(self, a, b, params):
        """Focus measure from a small torch network; replace it with your trained model."""
        device = params.device
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        net = FocusNet().to(device).eval()
        if params.weights:
            net.load_state_dict(torch.load(params.weights, map_location=device, weights_only=True))
        with torch.inference_mode():
            x = torch.from_numpy(np.stack([luma(a), luma(b)])[:, None] / 255.0).float().to(device)
            energy = net(x).cpu().numpy()[:, 0].astype(np.float64)
        w = (energy[0] >= energy[1]).astype(np.float64)  # weight of A: the decision map
        wc = w[..., None] if a.ndim == 3 else w
        return FusionResult(image=wc * a + (1.0 - wc) * b, decision_map=w)


class FocusNet(nn.Module):
    """Laplacian filter, squared, averaged over 9×9 (fixed kernels, nothing trained)."""

    def __init__(self):
        super().__init__()
        self.lap = nn.Conv2d(1, 1, 3, padding=1, padding_mode="reflect", bias=False)
        self.avg = nn.AvgPool2d(9, stride=1, padding=4, count_include_pad=False)
        kernel = torch.tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])
        self.lap.weight.data.copy_(kernel.view(1, 1, 3, 3))

    def forward(self, x):
        return self.avg(self.lap(x) ** 2)
'''

_MODULE = '''"""{name}: {summary}

Reference: TODO (authors, title, venue, year).
Parameters: see ``Params`` below.
Colour: {colour_doc}
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
{torch_import}
from bench.color import luma
from methods.base import FusionMethod, FusionResult, register_method


@register_method
class {cls}(FusionMethod):
    name = "{name}"
    # Bump ``version`` whenever the output changes: the cache and the
    # regression baselines are keyed on it.
    version = "1"
    kind = "{kind}"
    modalities = ("multi-focus",)
    colour = "gray-weights"
    citation = "TODO: your paper"
{body}'''

_TEST_SINGLE = '''"""Contract checks for the {name} plugin (run: python -m pytest {test_file})."""

from pathlib import Path

import pytest

from methods.plugins import load_plugin_file
from methods.testing import CHECKS, example_pair

load_plugin_file(str(Path(__file__).with_name("{module}.py")))
PAIR = example_pair()


@pytest.mark.parametrize("check", list(CHECKS))
def test_contract(check):
    CHECKS[check]("{name}", *PAIR)
'''

_TEST_IMPORT = '''"""Contract checks for the {name} plugin."""

import pytest

import {import_path}  # noqa: F401  (registers the method)
from methods.testing import CHECKS, example_pair

PAIR = example_pair()


@pytest.mark.parametrize("check", list(CHECKS))
def test_contract(check):
    CHECKS[check]("{name}", *PAIR)
'''

_PYPROJECT = '''[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "{dist}"
version = "0.1.0"
description = "{name}: a fusion method plugin for fusebench"
requires-python = ">=3.10"
dependencies = ["fusebench"]

[project.entry-points."fusebench.methods"]
{name} = "{module}"

[tool.setuptools]
packages = ["{module}"]
'''


def _names(name: str) -> tuple[str, str, str]:
    if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
        raise FusebenchError(f"method name {name!r}: use lower-case letters, digits and '-' (e.g. my-method)")
    module = name.replace("-", "_")
    cls = "".join(p.capitalize() for p in module.split("_"))
    return module, cls, f"fusebench-{name}"


def render_module(name: str, deep: bool = False) -> str:
    module, cls, _ = _names(name)
    return _MODULE.format(
        name=name,
        cls=cls,
        kind="deep" if deep else "classic",
        summary="TODO one-line description of the method.",
        colour_doc="weights computed on grey (BT.601 luma), applied to every channel.",
        body=_DEEP_BODY if deep else _CLASSIC_BODY,
        torch_import="import torch\nfrom torch import nn\n" if deep else "",
    )


def _write(path: Path, text: str, force: bool) -> Path:
    if path.exists() and not force:
        raise FusebenchError(f"{path} exists (use --force to overwrite)")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def scaffold(
    name: str,
    *,
    deep: bool = False,
    out_dir: str | Path = ".",
    package: str | Path | None = None,
    in_tree: bool = False,
    force: bool = False,
    repo: str | Path | None = None,
) -> list[Path]:
    """Write the plugin files; return their paths (``repo``: the checkout for
    ``in_tree``, default the one this module lives in)."""
    module, _, dist = _names(name)
    code = render_module(name, deep)
    if package:
        root = Path(package)
        return [
            _write(root / "pyproject.toml", _PYPROJECT.format(dist=dist, name=name, module=module), force),
            _write(root / module / "__init__.py", code, force),
            _write(root / "tests" / f"test_{module}.py",
                   _TEST_IMPORT.format(name=name, import_path=module), force),
        ]
    if in_tree:
        repo = Path(repo) if repo else Path(__file__).resolve().parents[1]
        if not (repo / "methods" / "base.py").is_file():
            raise FusebenchError("--in-tree needs a fusebench source checkout")
        return [
            _write(repo / "methods" / f"{module}.py", code, force),
            _write(repo / "tests" / "methods" / f"test_{module}.py",
                   _TEST_IMPORT.format(name=name, import_path=f"methods.{module}"), force),
        ]
    out = Path(out_dir)
    test_file = out / f"test_{module}.py"
    return [
        _write(out / f"{module}.py", code, force),
        _write(test_file, _TEST_SINGLE.format(name=name, module=module, test_file=test_file), force),
    ]
