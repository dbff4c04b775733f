"""Tests of memproof.model: the multi-head attention layer of theorem.md §1."""
from __future__ import annotations

import dataclasses
import math
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memproof.errors import InvalidArgumentError, OutOfRangeError
from memproof.model import (
    AttentionSpec,
    MHAWeights,
    attention,
    attention_batch,
    feature_matrix,
    feature_row,
    head_features,
    mha,
    mha_batch,
)

SETTINGS = settings(max_examples=40, deadline=None)


# ----------------------------------------------------------------------------------------- helpers
@st.composite
def problems(draw, shared: bool | None = False):
    """(weights, contexts (T, n, d) or (n, d), queries (T, d)) with small random sizes."""
    spec = AttentionSpec(
        n=draw(st.integers(1, 4)),
        d=draw(st.integers(1, 5)),
        heads=draw(st.integers(1, 3)),
        d_h=draw(st.integers(1, 3)),
        d_v=draw(st.integers(1, 3)),
        d_o=draw(st.integers(1, 3)),
    )
    T = draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scale = draw(st.sampled_from([0.5, 1.0, 3.0]))
    w = MHAWeights.random(spec, rng)
    w = MHAWeights(scale * w.W_Q, w.W_K, w.W_V, w.W_O, spec)
    if shared is None:
        shared = draw(st.booleans())
    ctx = rng.normal(size=(spec.n, spec.d) if shared else (T, spec.n, spec.d))
    queries = rng.normal(size=(T, spec.d))
    return w, ctx, queries


def naive_example(w: MHAWeights, E: np.ndarray, e: np.ndarray):
    """Attention (H, n), head features (H, d) and output (d_o,) by explicit loops over heads and tokens."""
    H, d, d_h, d_v, d_o = w.heads, w.d, w.d_h, w.d_v, w.d_o
    n = len(E)
    S, Zh, out = [], [], [0.0] * d_o
    for h in range(H):
        q = [sum(w.W_Q[h, k, a] * e[k] for k in range(d)) for a in range(d_h)]          # W_Q^hᵀ e
        logits = []
        for i in range(n):
            key = [sum(w.W_K[h, k, a] * E[i, k] for k in range(d)) for a in range(d_h)]  # W_K^hᵀ x_i
            logits.append(sum(key[a] * q[a] for a in range(d_h)))
        ex = [math.exp(a) for a in logits]
        total = sum(ex)
        s = [x / total for x in ex]
        z = [sum(s[i] * E[i, k] for i in range(n)) for k in range(d)]                   # Eᵀ s
        v = [sum(w.W_V[h, k, c] * z[k] for k in range(d)) for c in range(d_v)]           # W_V^hᵀ z
        for o in range(d_o):
            out[o] += sum(w.W_O[h, o, c] * v[c] for c in range(d_v))                     # W_O^h v
        S.append(s)
        Zh.append(z)
    return np.array(S), np.array(Zh), np.array(out)


def contexts_of(ctx: np.ndarray, T: int) -> np.ndarray:
    return np.repeat(ctx[None], T, axis=0) if ctx.ndim == 2 else ctx


# ----------------------------------------------------------------------------------- forward pass
@SETTINGS
@given(problems(shared=None))
def test_forward_matches_naive_loops(problem):
    w, ctx, Q = problem
    C = contexts_of(ctx, len(Q))
    for t in range(len(Q)):
        s, z, out = naive_example(w, C[t], Q[t])
        np.testing.assert_allclose(attention(w, C[t], Q[t]), s, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(head_features(w, C[t], Q[t]), z, rtol=1e-11, atol=1e-13)
        np.testing.assert_allclose(mha(w, C[t], Q[t]), out, rtol=1e-10, atol=1e-12)


@SETTINGS
@given(problems(shared=None))
def test_readout_identity_and_feature_layout(problem):
    w, ctx, Q = problem
    C = contexts_of(ctx, len(Q))
    M, Z = w.readout(), feature_matrix(w, ctx, Q)
    assert M.shape == (w.d_o, w.heads * w.d) and Z.shape == (len(Q), w.heads * w.d)
    for t in range(len(Q)):
        z_t = feature_row(w, C[t], Q[t])
        np.testing.assert_array_equal(z_t, np.concatenate(list(head_features(w, C[t], Q[t]))))
        np.testing.assert_allclose(Z[t], z_t, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(mha(w, C[t], Q[t]), M @ z_t, rtol=1e-10, atol=1e-12)
    # block h of M is W_O^h W_V^hᵀ, and W^h = W_K^h W_Q^hᵀ
    for h in range(w.heads):
        np.testing.assert_allclose(M[:, h * w.d:(h + 1) * w.d], w.W_O[h] @ w.W_V[h].T, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(w.keyquery()[h], w.W_K[h] @ w.W_Q[h].T, rtol=1e-13, atol=1e-15)


@SETTINGS
@given(problems(shared=None))
def test_batch_equals_per_example(problem):
    w, ctx, Q = problem
    C = contexts_of(ctx, len(Q))
    S, Y = attention_batch(w, ctx, Q), mha_batch(w, ctx, Q)
    assert S.shape == (len(Q), w.heads, C.shape[1]) and Y.shape == (len(Q), w.d_o)
    for t in range(len(Q)):
        np.testing.assert_allclose(S[t], attention(w, C[t], Q[t]), rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(Y[t], mha(w, C[t], Q[t]), rtol=1e-12, atol=1e-14)


@SETTINGS
@given(problems(shared=True))
def test_shared_context_equals_repeated_context(problem):
    w, E, Q = problem
    rep = np.repeat(E[None], len(Q), axis=0)
    np.testing.assert_allclose(feature_matrix(w, E, Q), feature_matrix(w, rep, Q), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(mha_batch(w, E, Q), mha_batch(w, rep, Q), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(attention_batch(w, E, Q), attention_batch(w, rep, Q), rtol=1e-13, atol=1e-15)


@SETTINGS
@given(problems(shared=None), st.sampled_from([1.0, 1e3, 1e6]))
def test_attention_on_simplex(problem, scale):
    w, ctx, Q = problem
    w = MHAWeights(scale * w.W_Q, w.W_K, w.W_V, w.W_O)
    S = attention_batch(w, ctx, Q)
    assert np.isfinite(S).all()
    assert (S >= 0).all() and (S <= 1).all()
    np.testing.assert_allclose(S.sum(axis=-1), 1.0, rtol=0, atol=4e-16 * S.shape[-1])
    # head features are convex combinations of the tokens: inside the coordinate-wise hull
    C = contexts_of(ctx, len(Q))
    Z = feature_matrix(w, ctx, Q).reshape(len(Q), w.heads, w.d)
    lo, hi = C.min(axis=1)[:, None, :], C.max(axis=1)[:, None, :]
    assert (Z >= lo - 1e-12).all() and (Z <= hi + 1e-12).all()


@SETTINGS
@given(problems(shared=None))
def test_huge_logits_saturate_exactly(problem):
    w, ctx, Q = problem
    C = contexts_of(ctx, len(Q))
    big = MHAWeights(1e8 * w.W_Q, w.W_K, w.W_V, w.W_O)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow / invalid-value warnings either
        S = attention_batch(big, ctx, Q)
        Z = feature_matrix(big, ctx, Q).reshape(len(Q), w.heads, w.d)
        Y = mha_batch(big, ctx, Q)
    assert np.isfinite(S).all() and np.isfinite(Z).all() and np.isfinite(Y).all()
    for t in range(len(Q)):
        for h in range(w.heads):
            logits = C[t] @ w.W_K[h] @ w.W_Q[h].T @ Q[t]
            order = np.sort(logits)
            gap = order[-1] - order[-2] if len(logits) > 1 else np.inf
            if gap * 1e8 < 800:  # exp(-800) underflows to 0: only then is one-hot exact
                continue
            i_star = int(np.argmax(logits))
            np.testing.assert_array_equal(S[t, h], np.eye(len(logits))[i_star])
            np.testing.assert_array_equal(Z[t, h], C[t, i_star])  # the saturated token


def test_huge_logits_deterministic_and_overflow():
    E = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    e = np.array([0.3, 0.7, 0.0])
    W = np.stack([1e8 * np.eye(3), -1e8 * np.eye(3)])
    w = MHAWeights.from_keyquery_and_readout(W, np.ones((1, 6)))
    np.testing.assert_array_equal(attention(w, E, e), [[0.0, 1.0], [1.0, 0.0]])
    np.testing.assert_array_equal(head_features(w, E, e), [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    np.testing.assert_array_equal(mha(w, E, e), [2.0])
    # logits that overflow float64 raise instead of returning nan
    huge = MHAWeights.from_keyquery_and_readout(1e300 * np.eye(3)[None], np.ones((1, 3)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InvalidArgumentError, match="overflow"):
            attention(huge, 1e10 * E, e)


def test_zero_keyquery_gives_uniform_attention():
    spec = AttentionSpec(n=4, d=5, heads=3, d_h=2)
    rng = np.random.default_rng(1)
    S = attention_batch(MHAWeights.zeros(spec), rng.normal(size=(6, 4, 5)), rng.normal(size=(6, 5)))
    np.testing.assert_array_equal(S, np.full((6, 3, 4), 0.25))


# ------------------------------------------------------------------------------------------- spec
@SETTINGS
@given(
    st.integers(1, 6), st.integers(1, 6), st.integers(1, 4),
    st.integers(1, 6), st.integers(1, 6), st.integers(1, 6),
)
def test_param_count_matches_array_sizes(n, d, H, d_h, d_v, d_o):
    spec = AttentionSpec(n, d, H, d_h, d_v, d_o)
    w = MHAWeights.random(spec, rng=0)
    counted = w.W_Q.size + w.W_K.size + w.W_V.size + w.W_O.size
    assert spec.param_count == counted == w.param_count
    assert spec.param_count == H * (2 * d * d_h + d * d_v + d_v * d_o)
    assert w.spec_for(n) == spec


def test_param_count_square_case():
    assert AttentionSpec(n=3, d=7, heads=5).param_count == 4 * 5 * 7**2  # 4Hd² when d_h = d_v = d_o = d


@pytest.mark.parametrize(
    "n, d, H, d_h, n_bar, capacity",
    [
        (5, 16, 4, 16, 5, 17),   # d_h ≥ n: T = H(n − 1) + 1
        (5, 16, 4, 3, 3, 9),     # d_h < n: n̄ = d_h
        (5, 16, 4, 5, 5, 17),
        (1, 4, 3, 2, 1, 1),      # one token: attention is trivial, T = 1
        (6, 8, 1, 8, 6, 6),      # one head: T = n̄
        (2, 3, 10, 1, 1, 1),     # d_h = 1 gives n̄ − 1 = 0 per head
    ],
)
def test_capacity_values(n, d, H, d_h, n_bar, capacity):
    spec = AttentionSpec(n=n, d=d, heads=H, d_h=d_h)
    assert (spec.n_bar, spec.capacity) == (n_bar, capacity)
    assert spec.H == H and spec.feature_dim == H * d


def test_spec_defaults_and_frozen():
    spec = AttentionSpec(n=2, d=5, heads=3)
    assert (spec.d_h, spec.d_v, spec.d_o) == (5, 5, 5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.n = 3  # type: ignore[misc]
    assert AttentionSpec(2, 5, 3) == AttentionSpec(n=2, d=5, heads=3, d_h=5, d_v=5, d_o=5)


def test_require_theorem_range():
    spec = AttentionSpec(n=3, d=4, heads=2)
    assert spec.require_theorem_range() is spec
    for n in (4, 9):
        with pytest.raises(OutOfRangeError, match=f"n={n}, d=4") as info:
            AttentionSpec(n=n, d=4, heads=2).require_theorem_range()
        assert info.value.claim == "T1"


@pytest.mark.parametrize(
    "field, value",
    [("n", 0), ("d", 2.0), ("heads", "3"), ("d_h", True), ("d_v", -1), ("d_o", 1.5), ("heads", None)],
)
def test_spec_rejects_bad_fields(field, value):
    kwargs = dict(n=2, d=3, heads=1, d_h=1, d_v=1, d_o=1)
    kwargs[field] = value
    with pytest.raises(InvalidArgumentError) as info:
        AttentionSpec(**kwargs)
    assert info.value.name == field
    assert repr(value)[:3] in str(info.value) and "integer ≥ 1" in str(info.value)


# ---------------------------------------------------------------------------------------- weights
def _arrays(H=2, d=3, d_h=2, d_v=1, d_o=4):
    rng = np.random.default_rng(0)
    return dict(
        W_Q=rng.normal(size=(H, d, d_h)), W_K=rng.normal(size=(H, d, d_h)),
        W_V=rng.normal(size=(H, d, d_v)), W_O=rng.normal(size=(H, d_o, d_v)),
    )


@pytest.mark.parametrize(
    "name, shape, expected",
    [
        ("W_K", (2, 3, 3), "(H, d, d_h) = (2, 3, 2)"),
        ("W_K", (1, 3, 2), "(H, d, d_h) = (2, 3, 2)"),
        ("W_V", (2, 4, 1), "(H, d, d_v) = (2, 3, 1)"),
        ("W_O", (2, 4, 2), "(H, d_o, d_v) = (2, 4, 1)"),
    ],
)
def test_weights_shape_mismatch_inferred(name, shape, expected):
    arrays = _arrays()
    arrays[name] = np.zeros(shape)
    with pytest.raises(InvalidArgumentError) as info:
        MHAWeights(**arrays)
    assert info.value.name == name
    assert str(shape) in str(info.value) and expected in str(info.value)


def test_weights_shape_mismatch_against_spec():
    arrays = _arrays()
    spec = AttentionSpec(n=2, d=3, heads=2, d_h=3, d_v=1, d_o=4)
    with pytest.raises(InvalidArgumentError) as info:
        MHAWeights(**arrays, spec=spec)
    assert info.value.name == "W_Q" and "(H, d, d_h) = (2, 3, 3)" in str(info.value) and "(2, 3, 2)" in str(info.value)
    with pytest.raises(InvalidArgumentError, match="'W_Q'.*3 dimensions"):
        MHAWeights(**{**arrays, "W_Q": np.zeros((3, 2))})
    with pytest.raises(InvalidArgumentError, match="'spec'"):
        MHAWeights(**arrays, spec=(2, 3, 2))  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["W_Q", "W_K", "W_V", "W_O"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_weights_reject_non_finite(name, bad):
    arrays = _arrays()
    arrays[name][1, 0, 0] = bad
    with pytest.raises(InvalidArgumentError, match="non-finite.*index \\(1, 0, 0\\)") as info:
        MHAWeights(**arrays)
    assert info.value.name == name


def test_weights_are_read_only_copies():
    arrays = _arrays()
    w = MHAWeights(**arrays)
    arrays["W_Q"][0, 0, 0] = 123.0
    assert w.W_Q[0, 0, 0] != 123.0
    with pytest.raises(ValueError):
        w.W_Q[0, 0, 0] = 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        w.W_Q = np.zeros((2, 3, 2))  # type: ignore[misc]


def test_random_is_seeded_and_xavier_bounded():
    spec = AttentionSpec(n=3, d=6, heads=2, d_h=2, d_v=3, d_o=4)
    assert MHAWeights.random(spec, 7) == MHAWeights.random(spec, np.random.default_rng(7))
    assert MHAWeights.random(spec, 7) != MHAWeights.random(spec, 8)
    w = MHAWeights.random(spec, 7)
    for name, (a, b) in [("W_Q", (6, 2)), ("W_K", (6, 2)), ("W_V", (6, 3)), ("W_O", (4, 3))]:
        arr = getattr(w, name)
        bound = math.sqrt(6 / (a + b))
        assert np.abs(arr).max() <= bound and np.abs(arr).max() > 0.5 * bound
    assert w.spec == spec


@SETTINGS
@given(st.integers(1, 3), st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_from_keyquery_and_readout_exact_factorisation(H, d, d_o, seed):
    rng = np.random.default_rng(seed)
    W, M = rng.normal(size=(H, d, d)), rng.normal(size=(d_o, H * d))
    for d_v in (None, d, d_o, max(d, d_o) + 1):
        w = MHAWeights.from_keyquery_and_readout(W, M, d_h=d + 1, d_v=d_v, n=2)
        np.testing.assert_array_equal(w.keyquery(), W)
        np.testing.assert_array_equal(w.readout(), M)
        assert w.spec is not None and w.spec.n == 2 and w.d_h == d + 1


def test_from_keyquery_and_readout_low_rank_svd():
    rng = np.random.default_rng(3)
    W = np.stack([np.outer(rng.normal(size=5), rng.normal(size=5)) for _ in range(2)])  # rank 1
    M = rng.normal(size=(6, 10))
    w = MHAWeights.from_keyquery_and_readout(W, M, d_h=1)
    assert w.d_h == 1 and w.d_v == 5
    np.testing.assert_allclose(w.keyquery(), W, atol=1e-12)
    np.testing.assert_array_equal(w.readout(), M)
    with pytest.raises(InvalidArgumentError, match="W\\[0\\].*rank ≤ d_h = 1"):
        MHAWeights.from_keyquery_and_readout(rng.normal(size=(1, 5, 5)), np.ones((1, 5)), d_h=1)
    with pytest.raises(InvalidArgumentError, match="'M'.*\\(d_o, H d\\)"):
        MHAWeights.from_keyquery_and_readout(W, np.ones((2, 7)))


def test_save_load_roundtrip(tmp_path):
    spec = AttentionSpec(n=3, d=4, heads=2, d_h=2, d_v=3, d_o=1)
    for w in (MHAWeights.random(spec, 0), MHAWeights(**_arrays())):
        path = tmp_path / "w.npz"
        w.save(path)
        back = MHAWeights.load(path)
        assert back == w and back.spec == w.spec
    np.savez(tmp_path / "bad.npz", W_Q=np.zeros((1, 1, 1)))
    with pytest.raises(InvalidArgumentError, match="missing \\['W_K', 'W_V', 'W_O'\\]"):
        MHAWeights.load(tmp_path / "bad.npz")


def test_to_torch_without_torch_gives_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` raise ImportError
    with pytest.raises(ImportError, match=r"pip install memproof\[torch\]"):
        MHAWeights(**_arrays()).to_torch()


@pytest.mark.torch
def test_to_torch():
    torch = pytest.importorskip("torch")
    w = MHAWeights(**_arrays())
    t = w.to_torch()
    assert set(t) == {"W_Q", "W_K", "W_V", "W_O"}
    assert t["W_Q"].dtype == torch.float64 and tuple(t["W_O"].shape) == w.W_O.shape
    np.testing.assert_array_equal(t["W_V"].numpy(), w.W_V)
    assert w.to_torch(dtype=torch.float32)["W_K"].dtype == torch.float32


# ---------------------------------------------------------------------------------- input checks
def test_batch_input_mismatches_name_the_axis():
    w = MHAWeights(**_arrays(d=5))
    rng = np.random.default_rng(0)
    with pytest.raises(InvalidArgumentError, match="contexts has d=5 but queries has d=6") as info:
        mha_batch(w, rng.normal(size=(3, 2, 5)), rng.normal(size=(3, 6)))
    assert info.value.name == "queries"
    with pytest.raises(InvalidArgumentError, match="contexts has T=3 but queries has T=4") as info:
        feature_matrix(w, rng.normal(size=(3, 2, 5)), rng.normal(size=(4, 5)))
    assert info.value.name == "contexts"
    with pytest.raises(InvalidArgumentError, match="contexts has d=4 but the weights have d=5"):
        attention_batch(w, rng.normal(size=(2, 4)), rng.normal(size=(3, 4)))
    with pytest.raises(InvalidArgumentError, match="'queries'.*1-dimensional.*expected 2 dimensions"):
        mha_batch(w, rng.normal(size=(2, 5)), rng.normal(size=5))
    with pytest.raises(InvalidArgumentError, match="'contexts'.*4-dimensional"):
        mha_batch(w, rng.normal(size=(1, 3, 2, 5)), rng.normal(size=(3, 5)))
    bad = rng.normal(size=(3, 5))
    bad[2, 1] = np.nan
    with pytest.raises(InvalidArgumentError, match="'queries'.*non-finite.*\\(2, 1\\)"):
        mha_batch(w, rng.normal(size=(2, 5)), bad)


def test_single_input_mismatches():
    spec = AttentionSpec(n=2, d=3, heads=2, d_h=2, d_v=1, d_o=4)
    w = MHAWeights(**_arrays(), spec=spec)
    with pytest.raises(InvalidArgumentError, match="e has d=4 but E has d=3") as info:
        mha(w, np.ones((2, 3)), np.ones(4))
    assert info.value.name == "e"
    with pytest.raises(InvalidArgumentError, match="E has n=3 but the weights' spec has n=2"):
        attention(w, np.ones((3, 3)), np.ones(3))
    with pytest.raises(InvalidArgumentError, match="E has d=2 but the weights have d=3"):
        head_features(w, np.ones((2, 2)), np.ones(2))
    with pytest.raises(InvalidArgumentError, match="'E'.*non-finite"):
        feature_row(w, [[1.0, np.inf, 0.0], [0.0, 0.0, 1.0]], np.ones(3))
    with pytest.raises(InvalidArgumentError, match="'weights'"):
        mha("not weights", np.ones((2, 3)), np.ones(3))  # type: ignore[arg-type]
    # without a spec any n is accepted
    assert attention(MHAWeights(**_arrays()), np.ones((5, 3)), np.ones(3)).shape == (2, 5)
