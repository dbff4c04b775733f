"""One construction, several array libraries (issue #14): the construction written against the array
API standard gives the same weights up to rounding with numpy and with torch (float64, CPU), records
which library, device and dtype built a result, keeps torch out of the numpy path, and the torch entry
point runs that one implementation (no mirror)."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memproof.construction import construct_memorizing_mha
from memproof.construction.backend import Backend
from memproof.construction.rowspace import RowSpace

SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _problem(n: int, d: int, H: int, d_h: int, shared: bool, d_o: int, seed: int):
    rng = np.random.default_rng([seed, n, d, H, d_h, int(shared), d_o])
    T = H * (min(n, d_h) - 1) + 1
    Q = rng.normal(size=(T, d))
    C = rng.normal(size=(n, d)) if shared else rng.normal(size=(T, n, d))
    return Q, C, rng.normal(size=(T, d_o))


@st.composite
def _cases(draw):
    n = draw(st.integers(2, 5))
    d = n + draw(st.integers(1, 4))
    return (n, d, draw(st.integers(1, 4)), draw(st.integers(1, n + 1)), draw(st.booleans()), draw(st.integers(1, 3)),
            draw(st.integers(0, 2**16)))


def test_numpy_result_records_library_device_dtype_and_timings():
    Q, C, Y = _problem(3, 5, 2, 3, True, 1, 0)
    res = construct_memorizing_mha(Q, C, Y, heads=2, d_h=3, seed=1)
    assert res.backend == {"library": "numpy", "version": np.__version__, "device": "cpu", "dtype": "float64"}
    assert set(res.timings) == {"heads", "features", "rowspace", "readout", "evaluate"}
    assert all(t >= 0 for t in res.timings.values())
    assert all(isinstance(getattr(res.weights, k), np.ndarray) for k in ("W_Q", "W_K", "W_V", "W_O"))


def test_numpy_path_never_imports_torch():
    code = textwrap.dedent("""
        import sys
        import numpy as np
        from memproof.construction import construct_memorizing_mha
        rng = np.random.default_rng(0)
        res = construct_memorizing_mha(rng.normal(size=(7, 6)), rng.normal(size=(7, 4, 6)), rng.normal(size=7),
                                       heads=2, d_h=4, seed=0)
        assert res.max_abs_error < 1e-8 and res.backend["library"] == "numpy"
        res.check(certify="rigorous")
        print(sorted(m for m in sys.modules if m == "torch" or m.startswith("torch.")))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


# ---------------------------------------------------------------------------------------------- torch
torch_only = pytest.mark.torch


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


@torch_only
@SETTINGS
@given(_cases())
def test_same_weights_with_numpy_and_torch(torch, case):
    from memproof.torchpath import construct_memorizing_mha_torch

    _, _, H, d_h, _, _, seed = case
    Q, C, Y = _problem(*case)
    a = construct_memorizing_mha(Q, C, Y, heads=H, d_h=d_h, seed=seed, check_assumptions=False)
    b = construct_memorizing_mha_torch(Q, C, Y, heads=H, d_h=d_h, seed=seed)
    wb = b.to_numpy_weights()
    for k in ("W_Q", "W_K", "W_V", "W_O"):
        x, y = getattr(a.weights, k), getattr(wb, k)
        assert np.abs(x - y).max() <= 1e-8 * max(1.0, np.abs(x).max()), k
    assert np.abs(a.Z - b.Z.numpy()).max() <= 1e-9
    assert b.partition == a.partition
    assert [t.saturation_argmax for t in b.trace] == [t.saturation_argmax for t in a.trace]
    assert [t.rank_decision for t in b.trace] == [t.rank_decision for t in a.trace]
    assert [t.rank_W_bound for t in b.trace] == [t.rank_W_bound for t in a.trace]
    for ta, tb in zip(a.trace, b.trace):
        assert tb.c == pytest.approx(ta.c, rel=1e-8) and tb.c_star == pytest.approx(ta.c_star, rel=1e-8, abs=1e-12)
        assert tb.rank_margin == pytest.approx(ta.rank_margin, rel=1e-6)
    assert b.max_abs_error == pytest.approx(a.max_abs_error, abs=1e-10)
    assert a.backend["library"] == "numpy" and b.backend["library"] == "torch"
    assert b.backend["device"] == "cpu" and b.backend["dtype"] == "float64" and b.backend["version"] == torch.__version__


@torch_only
def test_same_weights_with_a_user_partition(torch):
    from memproof.torchpath import construct_memorizing_mha_torch

    Q, C, Y = _problem(4, 7, 3, 4, False, 2, 5)
    part = [[9, 0, 4, 2], [1, 8, 3], [5, 6, 7]]
    a = construct_memorizing_mha(Q, C, Y, heads=3, d_h=4, seed=2, partition=part)
    b = construct_memorizing_mha_torch(Q, C, Y, heads=3, d_h=4, seed=2, partition=part)
    assert a.partition == b.partition == tuple(tuple(g) for g in part)
    assert np.allclose(a.weights.W_K, b.to_numpy_weights().W_K, rtol=1e-8, atol=1e-8)


@torch_only
def test_float32_result_says_float32(torch):
    from memproof.torchpath import construct_memorizing_mha_torch

    Q, C, Y = _problem(4, 8, 3, 4, False, 1, 1)
    b = construct_memorizing_mha_torch(Q, C, Y, heads=3, d_h=4, seed=0, dtype="float32", track_margins=False)
    assert b.backend["dtype"] == "float32" and b.W_K.dtype == torch.float32 and b.Z.dtype == torch.float32
    assert all(np.isnan(t.rank_margin) for t in b.trace)  # not tracked: nan, never a made-up margin
    assert b.max_abs_error < 1e-2


@torch_only
def test_the_torch_entry_point_runs_the_one_construction(torch, monkeypatch):
    """No mirror: replacing build_layer breaks the torch path too."""
    from memproof.construction import construct as cons
    from memproof.torchpath import build, construct_memorizing_mha_torch

    calls = []
    real = cons.build_layer

    def spy(bk, *args, **kw):
        calls.append(bk.library)
        return real(bk, *args, **kw)

    monkeypatch.setattr(build, "build_layer", spy)
    monkeypatch.setattr(cons, "build_layer", spy)
    Q, C, Y = _problem(3, 5, 2, 3, True, 1, 0)
    construct_memorizing_mha_torch(Q, C, Y, heads=2, d_h=3, seed=0)
    construct_memorizing_mha(Q, C, Y, heads=2, d_h=3, seed=0)
    assert calls == ["torch", "numpy"]
    with pytest.raises(ImportError):
        __import__("memproof.torchpath.construct")


@torch_only
@pytest.mark.parametrize("library", ["numpy", "torch"])
def test_backend_helpers_solve_what_they_say(torch, library):
    bk = Backend.numpy() if library == "numpy" else Backend.torch("cpu")
    rng = np.random.default_rng(7)
    A, B = rng.normal(size=(3, 6)), rng.normal(size=(3, 2))
    X = bk.to_numpy(bk.lstsq(bk.asarray(A), bk.asarray(B)))
    assert np.allclose(A @ X, B) and np.allclose(X, np.linalg.pinv(A) @ B)  # the minimum-norm solution
    Ab, Bb = rng.normal(size=(4, 2, 5)), rng.normal(size=(4, 2, 1))
    Xb = bk.to_numpy(bk.lstsq(bk.asarray(Ab), bk.asarray(Bb)))
    assert np.allclose(Ab @ Xb, Bb) and np.allclose(Xb, np.linalg.pinv(Ab) @ Bb)
    R, A2 = np.triu(rng.normal(size=(5, 5))) + 3 * np.eye(5), rng.normal(size=(2, 5))
    R2 = bk.to_numpy(bk.qr_append_rows(bk.asarray(R), bk.asarray(A2)))
    assert np.allclose(np.tril(R2, -1), 0) and np.allclose(R2.T @ R2, R.T @ R + A2.T @ A2)
    L = R.T
    Y = bk.to_numpy(bk.solve_triangular(bk.asarray(L), bk.asarray(B[:, :1].repeat(5, 0)[:5]), lower=True))
    assert np.allclose(L @ Y, B[:, :1].repeat(5, 0)[:5])
    x = bk.asarray([[0.0, -np.inf, 1.0], [-np.inf, -np.inf, -np.inf]])
    assert np.allclose(bk.to_numpy(bk.logsumexp(x, axis=1)), [np.log1p(np.e), -np.inf])
    assert bk.indices(bk.asarray([0.0, 1.0, 1.0]) > 0.5) == [1, 2]


@torch_only
def test_rowspace_agrees_across_libraries(torch):
    rng = np.random.default_rng(3)
    d, blocks = 5, [4, 3, 3]
    Z = rng.normal(size=(sum(blocks), d * len(blocks)))
    factors = []
    for bk in (Backend.numpy(), Backend.torch("cpu")):
        rs, r, Zx = RowSpace(bk), 0, bk.asarray(Z)
        for j, k in enumerate(blocks):
            rs.add_columns(Zx[:r, j * d:(j + 1) * d])
            rs.add_rows(Zx[r:r + k, :(j + 1) * d], Zx[:r, :(j + 1) * d])
            r += k
        L = bk.to_numpy(rs.L)
        assert np.allclose(L @ L.T, Z @ Z.T)
        G = bk.to_numpy(rs.project(bk.asarray(Z[:2] + 1.0), Zx))
        assert np.allclose(G, np.linalg.lstsq(Z.T, (Z[:2] + 1.0).T, rcond=None)[0].T)
        factors.append((L @ L.T, rs.sigma_ratio()))
    assert np.allclose(factors[0][0], factors[1][0]) and factors[0][1] == pytest.approx(factors[1][1], rel=1e-10)


@pytest.mark.gpu
@torch_only
def test_cuda_construction_matches_numpy(torch):  # pragma: no cover - GPU only
    if not torch.cuda.is_available():
        pytest.skip("needs CUDA")
    from memproof.torchpath import construct_memorizing_mha_torch

    for case in [(3, 5, 2, 3, True, 1, 0), (4, 7, 4, 4, False, 2, 11)]:
        _, _, H, d_h, _, _, seed = case
        Q, C, Y = _problem(*case)
        a = construct_memorizing_mha(Q, C, Y, heads=H, d_h=d_h, seed=seed, check_assumptions=False)
        b = construct_memorizing_mha_torch(Q, C, Y, heads=H, d_h=d_h, seed=seed, device="cuda")
        assert b.backend["device"].startswith("cuda") and b.W_K.device.type == "cuda"
        assert np.allclose(a.weights.W_K, b.to_numpy_weights().W_K, rtol=1e-8, atol=1e-8)
        assert b.max_abs_error < 1e-8
