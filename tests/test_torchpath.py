"""The torch path: model agrees with numpy; the torch construction agrees with the numpy one (same
weights up to rounding, same rank decisions) and is certified by the rigorous checker."""
from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from memproof.construction import check_memorizes, construct_memorizing_mha  # noqa: E402
from memproof.construction.heads import RTOL  # noqa: E402
from memproof.model import AttentionSpec, MHAWeights, attention_batch, feature_matrix, mha_batch  # noqa: E402
from memproof.torchpath import construct_memorizing_mha_torch, numerical_rank, torch_info  # noqa: E402
from memproof.torchpath import model as tm  # noqa: E402

pytestmark = pytest.mark.torch


@pytest.mark.parametrize("shared", [True, False])
def test_model_matches_numpy(shared):
    rng = np.random.default_rng(0)
    spec = AttentionSpec(n=4, d=6, heads=3, d_h=2, d_v=2, d_o=3)
    w = MHAWeights.random(spec, rng)
    Q = rng.normal(size=(7, 6))
    C = rng.normal(size=(4, 6)) if shared else rng.normal(size=(7, 4, 6))
    t = w.to_torch()
    Ct, Qt = torch.as_tensor(C), torch.as_tensor(Q)
    assert np.allclose(tm.attention(t["W_Q"], t["W_K"], Ct, Qt).numpy(), attention_batch(w, C, Q), atol=1e-14)
    assert np.allclose(tm.feature_matrix(t["W_Q"], t["W_K"], Ct, Qt).numpy(), feature_matrix(w, C, Q), atol=1e-13)
    assert np.allclose(tm.mha_batch(t["W_Q"], t["W_K"], t["W_V"], t["W_O"], Ct, Qt).numpy(), mha_batch(w, C, Q), atol=1e-13)


def test_saturated_softmax_is_one_hot():
    W = torch.zeros(1, 2, 2, dtype=torch.float64)
    W[0] = 1e8 * torch.eye(2, dtype=torch.float64)
    att = tm.attention(torch.eye(2, dtype=torch.float64)[None].expand(1, 2, 2), W, torch.eye(2, dtype=torch.float64),
                       torch.tensor([[0.0, 1.0]], dtype=torch.float64))
    assert att.tolist() == [[[0.0, 1.0]]]


CASES = [(3, 5, 2, 3, True, 1, 1), (4, 6, 3, 2, False, 3, 5), (5, 8, 4, 5, False, 1, 7), (4, 7, 4, 4, True, 2, 11)]


@pytest.mark.parametrize("n,d,H,d_h,shared,d_o,seed", CASES)
def test_torch_construction_agrees_with_numpy(n, d, H, d_h, shared, d_o, seed):
    rng = np.random.default_rng(seed)
    T = H * (min(n, d_h) - 1) + 1
    Q = rng.normal(size=(T, d))
    C = rng.normal(size=(n, d)) if shared else rng.normal(size=(T, n, d))
    Y = rng.normal(size=(T, d_o))
    a = construct_memorizing_mha(Q, C, Y, heads=H, d_h=d_h, seed=seed)
    b = construct_memorizing_mha_torch(Q, C, Y, heads=H, d_h=d_h, seed=seed)
    wb = b.to_numpy_weights()
    for k in ("W_Q", "W_K", "W_V", "W_O"):
        x, y = getattr(a.weights, k), getattr(wb, k)
        assert np.abs(x - y).max() <= 1e-8 * max(1.0, np.abs(x).max()), k
    assert b.partition == a.partition
    assert [t.saturation_argmax for t in b.trace] == [t.saturation_argmax for t in a.trace]
    assert [tb.rank_decision for tb in b.trace] == [ta.sigma_k_D_star > 0 for ta in a.trace]
    for ta, tb in zip(a.trace, b.trace):
        assert tb.c == pytest.approx(ta.c, rel=1e-8)
        assert tb.rank_margin == pytest.approx(ta.rank_margin, rel=1e-6)
        assert (tb.rank_margin > RTOL) == (ta.rank_margin > RTOL)
    assert b.max_abs_error < 1e-8
    info = b.env
    assert info["device"] == "cpu" and info["dtype"] == "float64" and "tf32_matmul" in info
    assert set(b.timings) >= {"total", "heads", "features", "readout"}


def test_rigorous_checker_confirms_torch_weights():
    rng = np.random.default_rng(3)
    Q, C, Y = rng.normal(size=(9, 7)), rng.normal(size=(9, 4, 7)), rng.normal(size=9)
    b = construct_memorizing_mha_torch(Q, C, Y, heads=3, d_h=4, seed=0)
    res = check_memorizes(b.to_numpy_weights(), Q, C, Y, for_all_labels=True)
    assert res.outcome.value == "proved" and res.level.label == "rigorous"


def test_float32_and_numerical_rank():
    rng = np.random.default_rng(1)
    Q, C, Y = rng.normal(size=(13, 8)), rng.normal(size=(13, 4, 8)), rng.normal(size=13)
    b = construct_memorizing_mha_torch(Q, C, Y, heads=4, d_h=4, seed=0, dtype="float32")
    assert b.Z.dtype == torch.float32 and b.env["dtype"] == "float32"
    assert b.max_abs_error < 1e-2
    rk = numerical_rank(b.Z.double())
    assert rk["rank"] == 13 and rk["full_row_rank"]


def test_device_validation_and_info():
    from memproof.errors import InvalidArgumentError
    from memproof.torchpath.env import resolve_device

    if not torch.cuda.is_available():
        with pytest.raises(InvalidArgumentError):
            resolve_device("cuda")
    assert torch_info("cpu", "float32")["dtype"] == "float32"


def test_out_of_range_refused():
    from memproof.errors import OutOfRangeError

    rng = np.random.default_rng(0)
    with pytest.raises(OutOfRangeError):
        construct_memorizing_mha_torch(rng.normal(size=(8, 5)), rng.normal(size=(3, 5)), rng.normal(size=8), heads=2, d_h=3)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu():  # pragma: no cover - GPU only
    rng = np.random.default_rng(0)
    Q, C, Y = rng.normal(size=(13, 8)), rng.normal(size=(13, 4, 8)), rng.normal(size=13)
    a = construct_memorizing_mha_torch(Q, C, Y, heads=4, d_h=4, seed=0)
    b = construct_memorizing_mha_torch(Q, C, Y, heads=4, d_h=4, seed=0, device="cuda")
    assert np.allclose(a.to_numpy_weights().W_K, b.to_numpy_weights().W_K, rtol=1e-8, atol=1e-8)
    assert b.env["device"].startswith("cuda")
