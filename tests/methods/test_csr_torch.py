"""``csr``'s torch backend: the same ADMM as SPORCO's ConvBPDN, iteration by iteration."""

from __future__ import annotations

import numpy as np
import pytest

import methods
from bench.color import luma
from bench.errors import ParameterError
from methods.csr import cbpdn_codes, cbpdn_torch, csr_dictionary, reconstruct_torch

torch = pytest.importorskip("torch")


def _highpass(img, rows, cols):
    from sporco.signal import tikhonov_filter

    return tikhonov_filter(luma(img)[rows, cols] / 255.0, 5.0, 16)[1]


def _sporco_trace(d, s, lam, max_iter):
    """SPORCO's ConvBPDN with csr's options, recording (Y as M×H×W, ρ) after each iteration."""
    from sporco.admm import cbpdn

    trace = []
    h, w = s.shape

    def record(solver):
        trace.append((np.moveaxis(solver.Y.reshape(h, w, -1), -1, 0).copy(), float(solver.rho)))

    _, solver = cbpdn_codes(d, s, lam, max_iter)  # the reference options, as csr runs them
    opt = cbpdn.ConvBPDN.Options(dict(solver.opt, Callback=record))
    again = cbpdn.ConvBPDN(d, s, lam, opt)
    again.solve()
    assert again.k == solver.k
    return trace, solver.k


def test_every_iteration_matches_sporco(lytro_pair):
    d = csr_dictionary()
    s = _highpass(lytro_pair[0], slice(150, 190), slice(180, 220))
    trace, k_sporco = _sporco_trace(d, s, 0.01, 12)
    ours = []
    x, info = cbpdn_torch(d, s, 0.01, 12, "cpu",
                          callback=lambda k, y, active: ours.append(y[0].numpy().copy()))
    assert k_sporco == info["iterations"][0] == len(ours) == 12
    for (y_ref, _), y in zip(trace, ours):
        assert np.abs(y - y_ref).max() < 1e-12
    assert info["rho"][0] == pytest.approx(trace[-1][1], rel=1e-12)
    assert np.abs(x[0].numpy()).max() > 0.01  # the codes are not trivially zero


def test_converged_solve_stops_at_the_same_iteration_with_the_same_codes(lytro_pair):
    d = csr_dictionary()
    s = _highpass(lytro_pair[1], slice(200, 232), slice(300, 332))
    x_ref, solver = cbpdn_codes(d, s, 0.01, 500)
    x, info = cbpdn_torch(d, s, 0.01, 500, "cpu")
    assert 20 < solver.k < 500  # converged by the relative tolerance, not the cap
    assert info["iterations"] == [solver.k]
    assert info["rho"][0] == pytest.approx(float(solver.rho), rel=1e-10)
    x_ref = np.moveaxis(x_ref.reshape(32, 32, -1), -1, 0)
    np.testing.assert_allclose(x[0].numpy(), x_ref, rtol=0, atol=1e-11)
    rec = reconstruct_torch(d, x)[0].numpy()
    np.testing.assert_allclose(rec, np.asarray(solver.reconstruct()).reshape(s.shape), atol=1e-11)


def test_a_batch_solves_each_signal_as_alone(lytro_pair):
    d = csr_dictionary()
    s1 = _highpass(lytro_pair[0], slice(150, 182), slice(180, 212))
    s2 = _highpass(lytro_pair[1], slice(40, 72), slice(60, 92))
    xb, info = cbpdn_torch(d, np.stack([s1, s2]), 0.01, 500, "cpu")
    alone = [cbpdn_torch(d, s, 0.01, 500, "cpu") for s in (s1, s2)]
    assert info["iterations"] == [a[1]["iterations"][0] for a in alone]
    assert info["iterations"][0] != info["iterations"][1]  # one stops first, the other goes on
    for i, (x, _) in enumerate(alone):
        np.testing.assert_allclose(xb[i].numpy(), x[0].numpy(), rtol=0, atol=1e-13)


def test_fused_colour_crop_matches_the_sporco_backend(lytro_pair):
    a, b = (x[150:186, 180:220] for x in lytro_pair)
    m = methods.get_method("csr")
    ref = m.fuse(a, b, max_iter=30).image
    got = m.fuse(a, b, max_iter=30, backend="torch", device="cpu").image
    assert got.shape == ref.shape == a.shape
    assert np.abs(got - ref).max() < 1e-8
    # multi-modal (averaged base, 7×7 activity window) too
    ref = m.fuse(a, b, max_iter=10, mode="multi-modal").image
    got = m.fuse(a, b, max_iter=10, mode="multi-modal", backend="torch", device="cpu").image
    assert np.abs(got - ref).max() < 1e-8


def test_backend_and_device_errors(lytro_pair):
    a, b = (x[:16, :16] for x in lytro_pair)
    m = methods.get_method("csr")
    with pytest.raises(ParameterError, match="backend must be one of sporco, torch"):
        m.fuse(a, b, backend="numba")
    with pytest.raises(ParameterError, match="invalid device 'tpu'"):
        m.fuse(a, b, backend="torch", device="tpu")
    # the sporco backend takes the runner's --device and ignores it
    np.testing.assert_array_equal(m.fuse(a, b, max_iter=3, device="cuda:7").image,
                                  m.fuse(a, b, max_iter=3).image)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message of a machine without CUDA")
def test_cuda_requested_without_cuda_is_a_clear_error(lytro_pair):
    a, b = (x[:16, :16] for x in lytro_pair)
    with pytest.raises(ParameterError, match="'cuda' requested but CUDA is not available"):
        methods.get_method("csr").fuse(a, b, backend="torch", device="cuda")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_matches_sporco(lytro_pair):
    d = csr_dictionary()
    s = _highpass(lytro_pair[1], slice(200, 232), slice(300, 332))
    x_ref, solver = cbpdn_codes(d, s, 0.01, 500)
    x, info = cbpdn_torch(d, s, 0.01, 500, "cuda")
    assert x.device.type == "cuda" and info["iterations"] == [solver.k]
    x_ref = np.moveaxis(x_ref.reshape(32, 32, -1), -1, 0)
    np.testing.assert_allclose(x[0].cpu().numpy(), x_ref, rtol=0, atol=1e-10)


def test_device_is_an_execution_parameter_and_backend_is_not():
    from bench.runner.tasks import cache_key, needs_device

    cls = methods.METHODS.get("csr")
    p = cls.make_params()
    assert (p.backend, p.device) == ("sporco", "auto") and needs_device(["csr"])

    def key(**kw):
        return cache_key("csr", cls.version, cls.describe_params(cls.make_params(**kw)), "h")

    assert key(backend="torch", device="cpu") == key(backend="torch", device="cuda")
    assert key(backend="torch") != key(backend="sporco")
