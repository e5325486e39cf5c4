"""Saving and loading ``cnn-patch`` weights, with shape checks and clear errors.

Checkpoint file (``torch.save`` of a plain dict, loaded with ``weights_only=True``)::

    {"format": "fusebench-cnn-patch", "version": 1,
     "state_dict": {...}, "meta": {...}}

``state_dict`` holds float tensors, except in a *compact* checkpoint (the one
shipped in the package), where ``fc1.weight`` (256 × 32768, 97 % of the
parameters) is stored as int8 with one float32 scale per output row
(``fc1.weight.q`` and ``fc1.weight.scale``: w ≈ q · scale) and the other tensors
as float16. That keeps the file at about 9 MB instead of 34 MB; the model card's
validation accuracy is measured with the compact weights.

    >>> net = load_model()                        # the packaged weights
    >>> type(net).__name__, net.training
    ('PatchCNN', False)
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import torch

from bench.weights import WeightsError, declare, locate
from methods import checkpoints
from methods.cnn_patch.model import Liu2017Net, PatchCNN

FORMAT = "fusebench-cnn-patch"
PACKAGED_NAME = "cnn_patch.pt"


#: The authors' released model (VIFB ships the same file as Liu et al.'s ``cnnmodel.mat``).
LIU2017 = declare(
    "liu2017-cnn/cnnmodel.mat",
    "f826e6739aa6cea943a1323642468760102fc735ff090cd83ab28d998ba76a20", 1617459,
    "xingchenzhang/VIFB@22b2ea9d91499cc5962d9bdcae9c290270f0fade:methods/CNN/model/cnnmodel.mat",
    env="FUSEBENCH_CNN_LIU2017", method="cnn-patch",
)
#: Their tensors: (name, shape) as stored in the .mat file.
LIU2017_SHAPES = {
    "weights_b1_1": (9, 64), "biases_b1_1": (64, 1),
    "weights_b1_2": (64, 9, 128), "biases_b1_2": (128, 1),
    "weights_b1_3": (128, 9, 256), "biases_b1_3": (256, 1),
    "weights_output": (512, 64, 2), "biases_output": (2, 1),
}


def liu2017_state(mat: dict[str, Any], source: str = "cnnmodel.mat") -> dict[str, torch.Tensor]:
    """:class:`Liu2017Net` state dict from the arrays of ``cnnmodel.mat``.

    MATLAB stores a k×k kernel as a column of k² values that its code reshapes
    column-major and rotates by 180° before ``conv2`` (i.e. applies as a
    correlation), so kernel element (row r, column c) is value ``r + k·c``:
    ``w.reshape(k, k).T`` in NumPy's row-major order. Layouts: conv1 (k², out),
    conv2/conv3/output (in, k², out); the output's first 256 input channels see
    source A (``cat(3, conv3_data1, conv3_data2)``).

        >>> import numpy as np
        >>> m = {k: np.zeros(s, np.float32) for k, s in LIU2017_SHAPES.items()}
        >>> m["weights_b1_1"][1, 0] = 1.0                # 2nd value of filter 0
        >>> liu2017_state(m)["branch.conv1.weight"][0, 0].nonzero().tolist()   # row 1, column 0
        [[1, 0]]
    """
    problems = [f"{k} missing" for k in LIU2017_SHAPES if k not in mat]
    problems += [f"{k} has shape {tuple(mat[k].shape)}, expected {s}"
                 for k, s in LIU2017_SHAPES.items() if k in mat and tuple(mat[k].shape) != s]
    if problems:
        raise WeightsError(f"cnn-patch: {source} is not Liu et al.'s cnnmodel.mat: " + "; ".join(problems))

    def kernels(w, k):  # (in, k², out) -> (out, in, k, k)
        w = torch.from_numpy(np.asarray(w, dtype=np.float32))
        return w.reshape(w.shape[0], k, k, w.shape[2]).permute(3, 0, 2, 1).contiguous()

    def bias(x):
        return torch.from_numpy(np.asarray(x, dtype=np.float32).ravel())

    return {
        "branch.conv1.weight": kernels(np.asarray(mat["weights_b1_1"])[None], 3),
        "branch.conv1.bias": bias(mat["biases_b1_1"]),
        "branch.conv2.weight": kernels(mat["weights_b1_2"], 3),
        "branch.conv2.bias": bias(mat["biases_b1_2"]),
        "branch.conv3.weight": kernels(mat["weights_b1_3"], 3),
        "branch.conv3.bias": bias(mat["biases_b1_3"]),
        "head.weight": kernels(mat["weights_output"], 8),
        "head.bias": bias(mat["biases_output"]),
    }


def load_liu2017(path: str | os.PathLike | None = None, device: str | torch.device = "cpu") -> Liu2017Net:
    """:class:`Liu2017Net` with the authors' ``cnnmodel.mat`` (found by :func:`bench.weights.locate`)."""
    from scipy import io as sio

    p = locate(LIU2017, path)
    try:
        mat = sio.loadmat(p)
    except Exception as exc:
        raise WeightsError(f"cnn-patch: {p} is not a readable MATLAB file ({exc})") from exc
    model = Liu2017Net()
    model.load_state_dict(liu2017_state(mat, str(p)))
    return model.to(device).eval()


def packaged_weights_path() -> Path:
    """Path of the checkpoint shipped inside the ``methods.cnn_patch`` package."""
    return Path(str(resources.files("methods.cnn_patch").joinpath(PACKAGED_NAME)))


def save_checkpoint(path: str | os.PathLike, model: PatchCNN, meta: dict[str, Any], *, compact: bool = False) -> Path:
    """Write ``model``'s weights (and ``meta``) to ``path`` atomically."""
    state = {k: v.detach().cpu().float().clone() for k, v in model.state_dict().items()}
    if compact:
        state = compact_state(state)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    torch.save({"format": FORMAT, "version": 1, "state_dict": state, "meta": dict(meta)}, tmp)
    os.replace(tmp, path)
    return path


def compact_state(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """fc1.weight → int8 + per-row scale; every other tensor → float16."""
    out: dict[str, torch.Tensor] = {}
    for k, v in state.items():
        if k == "fc1.weight":
            scale = v.abs().amax(dim=1).clamp_min(1e-12) / 127.0
            out["fc1.weight.q"] = torch.round(v / scale[:, None]).clamp(-127, 127).to(torch.int8)
            out["fc1.weight.scale"] = scale.float()
        else:
            out[k] = v.half()
    return out


def expand_state(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Inverse of :func:`compact_state` (float32 tensors); plain states pass through."""
    out = {k: v.float() for k, v in state.items() if not k.startswith("fc1.weight.")}
    if "fc1.weight.q" in state:
        out["fc1.weight"] = state["fc1.weight.q"].float() * state["fc1.weight.scale"].float()[:, None]
    return out


def read_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """The checkpoint dict at ``path``; :class:`WeightsError` naming the file on any problem
    (:func:`methods.checkpoints.read_checkpoint`, the deep plugins' one reader)."""
    return checkpoints.read_checkpoint(path, fmt=FORMAT, label="cnn-patch")


def load_model(path: str | os.PathLike | None = None, device: str | torch.device = "cpu") -> PatchCNN:
    """A :class:`PatchCNN` in eval mode with the weights from ``path`` (default: the packaged ones)."""
    path = Path(path) if path else packaged_weights_path()
    ckpt = read_checkpoint(path)
    ckpt = {**ckpt, "state_dict": expand_state(ckpt["state_dict"])}
    return checkpoints.load_weights(PatchCNN(), ckpt, path, "cnn-patch").to(device).eval()


def checkpoint_meta(path: str | os.PathLike | None = None) -> dict[str, Any]:
    """The ``meta`` dict stored with a checkpoint (training record)."""
    return dict(read_checkpoint(Path(path) if path else packaged_weights_path()).get("meta", {}))
