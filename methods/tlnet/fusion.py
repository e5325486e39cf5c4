"""The ``tlnet`` fusion method: focus maps from the tlnet network + the paper's rule.

Strategy (``../shared/spec/tlnet.md``, the paper's pseudo-code "made
consistent": as printed, its second map M5 is always 0)::

    M1 = [P(unfocused | S1) > 0.5],  M2 = [P(unfocused | S2) > 0.5]
    (P = mean of the network's P(unfocused) over the ``scales`` parameter,
     default full and half resolution; ``scales="1"`` is single-scale)
    C  = [M1 == 1 − M2]                      (the two maps agree)
    D1 = M1 where C, else 0                  (undecided pixels from S1)
    D2 = 1 − M2 where C, else 1              (undecided pixels from S2)
    F1 = D1·S2 + (1 − D1)·S1,   F2 = D2·S2 + (1 − D2)·S1
    F  = F1 if Q^AB/F(F1) >= Q^AB/F(F2) else F2

Q^AB/F is ``metrics.compute("qabf", a, b, f)`` (default convention). The
decision map returned is the weight of source A, ``1 − D``; ``extras`` holds
``M1``, ``M2``, ``chosen`` ("F1"/"F2"), both Q^AB/F values and the checkpoint.
Colour: the network sees RGB (grey is replicated); the map applies to every
channel (``gray-weights``).

The default checkpoint is the shipped ``cpu`` model ``tlnet-cpu-v2``,
trained here from scratch (no ImageNet VGG-19 weights): the method version
carries its name so results are never mistaken for the paper's model.

Use (seconds per pair on a CPU, so not run as a doctest)::

    res = methods.get_method("tlnet").fuse(a, b)   # a, b: 520×520 sources
    res.extras["M1"].shape, res.extras["chosen"]   # ((520, 520), 'F1')
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.errors import FusebenchError
from methods.base import FusionMethod, FusionResult, register_method

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
DEFAULT_CHECKPOINT = "tlnet-cpu-v2"


def resolve_checkpoint(checkpoint: str | os.PathLike | None) -> Path:
    """A checkpoint path from ``None`` (shipped default), a shipped name, or a file path."""
    if checkpoint is None or str(checkpoint) == "":
        checkpoint = DEFAULT_CHECKPOINT
    p = Path(checkpoint).expanduser()
    if p.is_file():
        return p
    shipped = WEIGHTS_DIR / f"{checkpoint}.pt"
    if shipped.is_file():
        return shipped
    have = sorted(x.stem for x in WEIGHTS_DIR.glob("*.pt")) if WEIGHTS_DIR.is_dir() else []
    raise FusebenchError(
        f"tlnet: checkpoint {str(checkpoint)!r} not found (not a file, not in {WEIGHTS_DIR}; shipped: "
        f"{', '.join(have) or 'none'}). Train one with `python -m bench train tlnet --config cpu` "
        "and pass checkpoint=<path to the .pt>"
    )


@functools.lru_cache(maxsize=4)
def _load(path: str, device: str):
    import torch

    from methods.tlnet.model import TLNet, TLNetConfig

    try:
        # TorchVersion: cards written before it was stored as a plain string
        with torch.serialization.safe_globals([torch.torch_version.TorchVersion]):
            ck = torch.load(path, map_location="cpu", weights_only=True)
        net = TLNet(TLNetConfig.from_dict(ck["arch"]))
        net.load_state_dict(ck["state_dict"])
    except Exception as exc:
        raise FusebenchError(f"tlnet: cannot load checkpoint {path} ({type(exc).__name__}: {exc})") from exc
    net.eval()
    return net.to(device), ck.get("name", Path(path).stem), ck.get("card", {})


def load_checkpoint(checkpoint=None, device: str = "auto"):
    """``(network, name, model card)`` of a checkpoint (cached per process)."""
    if device == "auto":
        device = "cpu"  # deterministic; the cpu model runs a 520×520 pair in ~1-2 s
    return _load(str(resolve_checkpoint(checkpoint).resolve()), device)


def parse_scales(text: str) -> tuple[float, ...]:
    """``"1,0.5"`` -> ``(1.0, 0.5)``; each scale in (0, 1]."""
    try:
        scales = tuple(float(t) for t in str(text).split(",") if t.strip())
    except ValueError:
        scales = ()
    if not scales or any(not 0.0 < s <= 1.0 for s in scales):
        raise FusebenchError(f"tlnet: scales={text!r} must be a comma list of numbers in (0, 1], e.g. '1,0.5'")
    return scales


def consistent_decision_maps(m1: np.ndarray, m2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(D1, D2)``: weight of S2 in the two candidates (see module docstring).

    >>> m1 = np.array([[1, 0, 1, 0]]); m2 = np.array([[0, 1, 1, 0]])
    >>> [d.tolist() for d in consistent_decision_maps(m1, m2)]
    [[[1.0, 0.0, 0.0, 0.0]], [[1.0, 0.0, 1.0, 1.0]]]
    """
    m1 = np.asarray(m1, bool)
    m2 = np.asarray(m2, bool)
    agree = m1 == ~m2
    d1 = np.where(agree, m1, False)
    d2 = np.where(agree, ~m2, True)
    return d1.astype(np.float64), d2.astype(np.float64)


def blend(a: np.ndarray, b: np.ndarray, d: np.ndarray) -> np.ndarray:
    """``d·b + (1 − d)·a`` with ``d`` H×W applied to every channel."""
    w = d[..., None] if a.ndim == 3 else d
    return w * b + (1.0 - w) * a


@register_method
class TLNetFusion(FusionMethod):
    name = "tlnet"
    version = f"1+{DEFAULT_CHECKPOINT}"
    kind = "deep"
    modalities = ("multi-focus",)
    groups = ("paper",)
    published_names = {"paper": "Proposed method"}
    colour = "gray-weights"
    citation = (
        "Lv & Cai, transfer-learning (VGG-19) decision-map network for colour multi-focus fusion; "
        f"checkpoint {DEFAULT_CHECKPOINT}: cpu configuration trained from scratch here (NO ImageNet transfer)"
    )

    @dataclass
    class Params:
        checkpoint: str | None = None
        device: str = "auto"
        scales: str = "1,0.5"

    def run(self, a, b, params):
        from methods.tlnet.model import predict_unfocused_multiscale
        from metrics import compute

        net, ck_name, _card = load_checkpoint(params.checkpoint, params.device)
        p1, p2 = predict_unfocused_multiscale(net, [a, b], parse_scales(params.scales))
        m1, m2 = p1 > 0.5, p2 > 0.5
        d1, d2 = consistent_decision_maps(m1, m2)
        f1, f2 = blend(a, b, d1), blend(a, b, d2)
        q1 = float(compute("qabf", a, b, f1))
        q2 = float(compute("qabf", a, b, f2))
        pick_first = not (q2 > q1)
        d, f = (d1, f1) if pick_first else (d2, f2)
        extras = {
            "M1": m1.astype(np.float64), "M2": m2.astype(np.float64),
            "chosen": "F1" if pick_first else "F2", "chosen_map": d,
            "qabf_F1": q1, "qabf_F2": q2, "checkpoint": ck_name,
        }
        return FusionResult(image=f, decision_map=1.0 - d, extras=extras)
