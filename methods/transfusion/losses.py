"""TransFusion's training losses (images in 0..1, tensors (N, 1, H, W)).

- Stage 1 (auto-encoder): L₁ = ‖x̂ − x‖² + λ_ssim (1 − SSIM(x̂, x)) (the authors' code:
  MSE + 100·(1 − MS-SSIM); we use single-scale SSIM, 11×11 Gaussian window σ = 1.5,
  :func:`bench.matlab.fspecial_gaussian`).
- Stage 2 (fusion): L₂ = λ_int ‖F − max(A, B)‖² + ½[(1 − SSIM(F, A)) + (1 − SSIM(F, B))]
  + λ_grad ‖ |∇F| − max(|∇A|, |∇B|) ‖₁ + L_MI, with |∇x| = |S_x * x| + |S_y * x| (Sobel; the
  authors' code defines this gradient but leaves the term out: our addition, λ_grad = 0
  restores theirs) and λ_int = 100 as in their code.
- **Double inner-loop feature mutual-information loss** L_MI = λ_MI / Σ MI(φ_F^l, φ_s^l),
  summed over the two loops s ∈ {ir, vis} and l ∈ {shallowest, deepest level}:
  the fused features must stay informative about both modalities' features. MI is
  estimated from a Parzen (Gaussian-kernel) soft joint histogram of the two feature
  tensors (each min–max normalised, 16 bins), so it is differentiable; the authors' code
  computes it with ``np.histogram`` (no gradient reaches the network).

    >>> import torch
    >>> x = torch.rand(2, 1, 24, 24)
    >>> round(float(ssim(x, x).mean()), 6)
    1.0
    >>> mi_same = soft_mutual_information(x, x)
    >>> mi_noise = soft_mutual_information(x, torch.rand(2, 1, 24, 24))
    >>> bool((mi_same > 1.0).all() and (mi_noise < 0.2).all())
    True
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

_WINDOWS: dict = {}


def _window(device, dtype):
    key = (str(device), dtype)
    if key not in _WINDOWS:
        from bench.matlab import fspecial_gaussian

        _WINDOWS[key] = torch.as_tensor(fspecial_gaussian(11, 1.5), dtype=dtype, device=device)[None, None]
    return _WINDOWS[key]


def ssim(x, y, c1: float = 0.01 ** 2, c2: float = 0.03 ** 2):
    """Mean SSIM per image (N,) of 0..1 images, Gaussian 11×11 σ 1.5, reflect-padded."""
    w = _window(x.device, x.dtype)
    pad = lambda t: F.pad(t, (5, 5, 5, 5), mode="reflect")  # noqa: E731
    mx, my = F.conv2d(pad(x), w), F.conv2d(pad(y), w)
    sxx = F.conv2d(pad(x * x), w) - mx * mx
    syy = F.conv2d(pad(y * y), w) - my * my
    sxy = F.conv2d(pad(x * y), w) - mx * my
    s = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return s.flatten(1).mean(1)


def gradient(x):
    """|Sobel_x * x| + |Sobel_y * x| (replicate border)."""
    k = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]], dtype=x.dtype, device=x.device)
    xp = F.pad(x, (1, 1, 1, 1), mode="replicate")
    return F.conv2d(xp, k[None, None]).abs() + F.conv2d(xp, k.t()[None, None]).abs()


def soft_mutual_information(a, b, bins: int = 16, samples: int = 4096):
    """MI (nats, per sample) of two tensors' values from a Gaussian-Parzen joint histogram.

    Each sample's values are flattened, at most ``samples`` of them taken at a fixed stride,
    min–max normalised (the range detached) and spread over ``bins`` bins (σ = 1 bin).
    """
    n = a.shape[0]
    fa, fb = a.reshape(n, -1), b.reshape(n, -1)
    step = max(1, fa.shape[1] // samples)
    fa, fb = fa[:, ::step], fb[:, ::step]

    def memberships(v):
        lo, hi = v.detach().amin(1, keepdim=True), v.detach().amax(1, keepdim=True)
        u = (v - lo) / (hi - lo).clamp_min(1e-8) * (bins - 1)
        centres = torch.arange(bins, dtype=v.dtype, device=v.device)
        k = torch.exp(-0.5 * (u[..., None] - centres) ** 2)
        return k / k.sum(-1, keepdim=True)  # (n, m, bins)

    ka, kb = memberships(fa), memberships(fb)
    joint = torch.einsum("nmi,nmj->nij", ka, kb) / ka.shape[1]
    pa, pb = joint.sum(2, keepdim=True), joint.sum(1, keepdim=True)
    eps = 1e-12
    return (joint * (torch.log(joint + eps) - torch.log(pa * pb + eps))).sum((1, 2))


def mi_loss(fused: list, f_ir: list, f_vis: list, weight: float):
    """λ / Σ_{l ∈ {first, last}} Σ_{s ∈ {ir, vis}} MI(φ_F^l, φ_s^l) (batch mean), and Σ MI."""
    total = 0.0
    for level in sorted({0, len(fused) - 1}):
        for src in (f_ir, f_vis):
            total = total + soft_mutual_information(fused[level], src[level].detach())
    total = total.mean()
    return weight / total.clamp_min(1e-3), total


def stage1_loss(out, x, ssim_weight: float):
    mse = F.mse_loss(out, x)
    s = 1 - ssim(out, x).mean()
    return mse + ssim_weight * s, {"mse": mse.item(), "ssim": s.item()}


def stage2_loss(out, ir, vis, *, intensity_weight: float, grad_weight: float):
    """λ_int MSE(F, max) + mean SSIM loss + λ_grad gradient loss (the MI term is added apart)."""
    inten = F.mse_loss(out, torch.maximum(ir, vis))
    s = 1 - 0.5 * (ssim(out, ir) + ssim(out, vis)).mean()
    g = F.l1_loss(gradient(out), torch.maximum(gradient(ir), gradient(vis)))
    total = intensity_weight * inten + s + grad_weight * g
    return total, {"int": inten.item(), "ssim": s.item(), "grad": g.item()}
