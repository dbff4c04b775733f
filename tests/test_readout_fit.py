"""The readout fitted in the target dtype, the a posteriori bound, the best-of-seeds build and
read-only arrays handed to torch (issue #13)."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from memproof.construction import check_memorizes, construct_memorizing_mha  # noqa: E402
from memproof.data import Dataset  # noqa: E402
from memproof.errors import InvalidArgumentError  # noqa: E402
from memproof.export import (construct_for_dtype, dtype_features, fit_readout, load_torch_mha,  # noqa: E402
                             observed_error_bound, save_torch_mha, to_torch_mha)
from memproof.export.torch_mha import round_to_dtype  # noqa: E402
from memproof.model import feature_matrix, mha_batch  # noqa: E402
from test_float32 import _uniform  # noqa: E402  (U[0,1] data at capacity, shared context)


def _err(w, Q, E, Y, dtype="float32", **kw):
    return float(np.abs(to_torch_mha(w, dtype=dtype, **kw)(E, Q).double().numpy() - Y).max())


@pytest.fixture(scope="module")
def built():
    Q, E, Y, H, n = _uniform(H=5)
    return Q, E, Y, construct_memorizing_mha(Q, E, Y, heads=H, d_h=n, seed=0, target_dtype="float32")


def test_dtype_features_are_the_modules_and_move_in_float32(built):
    Q, E, _, b = built
    w = b.weights
    Z64 = feature_matrix(w, E, Q)
    assert np.allclose(dtype_features(w, Q, E, "float64"), Z64, rtol=0, atol=1e-13)
    Z32 = dtype_features(w, Q, E, "float32")
    shift = np.abs(Z32 - Z64).max()
    assert 0 < shift < 1e-3
    assert np.array_equal(Z32, round_to_dtype(Z32, "float32"))  # read off a float32 module
    # Ẑ carries the module's own rounding: the readout applied to Ẑ predicts the float32 output
    # better than applied to Z
    out = to_torch_mha(w, dtype="float32")(E, Q).double().numpy()
    M = w.readout()
    assert np.abs(Z32 @ M.T - out).max() < np.abs(Z64 @ M.T - out).max() / 2


def test_fit_lowers_the_float32_error_and_keeps_the_key_query_bits(built):
    Q, E, Y, b = built
    fit = b.error_budget.readout_fit
    assert fit is not None and fit.dtype == "float32"
    assert fit.error == min(fit.errors) and fit.error < fit.float64_readout_error / 2
    assert _err(b.weights, Q, E, Y) == pytest.approx(fit.error, rel=0, abs=0)  # the error it reports is the module's
    refit, _ = fit_readout(b.weights, Q, E, Y, "float32", refine=1)
    assert np.array_equal(refit.W_Q, b.weights.W_Q) and np.array_equal(refit.W_K, b.weights.W_K)
    assert refit.scale == b.weights.scale and refit.spec == b.weights.spec
    for k in ("W_V", "W_O"):
        assert np.array_equal(round_to_dtype(getattr(b.weights, k), "float32"), getattr(b.weights, k))
    assert check_memorizes(b.weights, Q, E, Y).outcome.value == "proved"  # the certificate is about W_K, W_Q


def test_fit_readout_refuses_and_never_returns_a_worse_readout(built):
    Q, E, Y, b = built
    with pytest.raises(InvalidArgumentError):
        fit_readout(b.weights, Q, E, Y[:, [0, 0]], "float32")  # d_o mismatch
    with pytest.raises(InvalidArgumentError):
        fit_readout(b.weights, Q, E, Y, "float32", refine=-1)
    w, fit = fit_readout(b.weights, Q, E, Y, "float32", refine=0)
    assert len(fit.errors) in (1, 2) and fit.error <= fit.float64_readout_error
    assert _err(w, Q, E, Y) == fit.error


def test_observed_bound_encloses_the_evaluation_and_notices_wrong_labels(built):
    Q, E, Y, b = built
    ob = b.error_budget.observed
    actual = _err(b.weights, Q, E, Y)
    assert actual <= ob.bound <= actual * (1 + 2**-50)
    for bf in (False, True):
        assert _err(b.weights, Q, E, Y, batch_first=bf) <= ob.bound
    assert ob.bound < b.error_budget.bound  # the a posteriori bound is the sharper one
    assert 0 < b.error_budget.rounding_floor < b.error_budget.bound
    wrong = Y.copy()
    wrong[3] += 0.25
    assert observed_error_bound(b.weights, Q, E, wrong, "float32").bound >= 0.25 - 1e-3
    assert ob.environment["threads"] >= 1 and "CPU" in ob.scope


def test_observed_margin_one_hot_and_refuted_class():
    Q, E, Y, H, n = _uniform(H=4, n=6, d=12, d_o=5, seed=2, one_hot=True)
    b = construct_memorizing_mha(Q, E, Y, heads=H, d_h=n, seed=0, target_dtype="float32")
    ob = b.error_budget.observed
    assert ob.argmax_margin > 0.9 and ob.bound < 1e-3
    out = b.to_torch_mha()(E, Q).double().numpy()
    assert (out.argmax(axis=1) == Y.argmax(axis=1)).all()
    moved = Y.copy()
    c = int(Y[0].argmax())
    moved[0] = 0.0
    moved[0, (c + 1) % 5] = 1.0  # a label the layer does not predict
    assert observed_error_bound(b.weights, Q, E, moved, "float32").argmax_margin < 0


def test_construct_for_dtype_keeps_the_best_seed():
    Q, E, Y, H, n = _uniform(H=3, n=6, d=12, seed=4)
    best, tried = construct_for_dtype(Q, E, Y, heads=H, d_h=n, seed=7, tries=3)
    assert [s for s, _ in tried] == [7, 8, 9]
    assert best.seed in (7, 8, 9) and best.error_budget.observed.bound == min(e for _, e in tried)
    again = construct_memorizing_mha(Q, E, Y, heads=H, d_h=n, seed=best.seed, target_dtype="float32")
    assert again.weights == best.weights  # the kept seed rebuilds it alone
    with pytest.raises(InvalidArgumentError):
        construct_for_dtype(Q, E, Y, heads=H, d_h=n, seed=None)
    with pytest.raises(InvalidArgumentError):
        construct_for_dtype(Q, E, Y, heads=H, d_h=n, scale="1/sqrt(d_h)")
    with pytest.raises(InvalidArgumentError):
        construct_for_dtype(Q, E, Y, heads=H, d_h=n, tries=0)


def test_read_only_arrays_go_to_torch_without_warnings(built, tmp_path):
    Q, E, Y, b = built
    w = b.weights
    assert not w.W_Q.flags.writeable  # MHAWeights stores read-only arrays ...
    ds = Dataset(Q, E, Y)
    ro_Q = Q.copy()
    ro_Q.flags.writeable = False
    ctx = ds.all_contexts()  # a read-only broadcast view
    assert not ctx.flags.writeable
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # ... and no "non-writable" UserWarning may reach the user
        ex = to_torch_mha(w, dtype=torch.float32, batch_first=True)
        ex(ctx, ro_Q)
        ex(E, w.W_Q[0].T[:3, :])  # an MHAWeights array passed as queries
        w.to_torch(dtype=torch.float32)
        b.state_dict()
        b.to_torch_module()
        dtype_features(w, ro_Q, ctx, "float32")
        observed_error_bound(w, ro_Q, ctx, Y, "float32")
        save_torch_mha(w, tmp_path / "layer.pt", dtype="float32")
        load_torch_mha(tmp_path / "layer.pt")(ctx, ro_Q)
        for a in (w.readout(), w.keyquery(), b.Z, mha_batch(w, E, Q)):
            torch.as_tensor(a)  # what MHAWeights and the build return from their methods is writable
    # and the check is able to fail: a read-only array given to torch.as_tensor does warn
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning):
            torch.as_tensor(w.W_Q)



def test_without_torch_the_float64_fitted_readout_is_kept_with_a_warning(monkeypatch):
    import memproof.export.readout_fit as rf

    Q, E, Y, H, n = _uniform(H=3, n=5, d=10, seed=1)

    def no_torch(*a, **k):
        raise ImportError("torch is not installed")

    monkeypatch.setattr(rf, "fit_readout", no_torch)
    b = construct_memorizing_mha(Q, E, Y, heads=H, d_h=n, seed=0, target_dtype="float32")
    assert any("not fitted in float32" in w for w in b.warnings)
    assert b.error_budget.readout_fit is None and b.max_abs_error < 1e-3
    monkeypatch.undo()
    fitted = construct_memorizing_mha(Q, E, Y, heads=H, d_h=n, seed=0, target_dtype="float32")
    assert np.array_equal(fitted.weights.W_K, b.weights.W_K) and not np.array_equal(fitted.weights.W_V, b.weights.W_V)
