"""Input conversion is exact or refused: no int64 wrap of uint64/huge ints, no silent rounding, honest hashes."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from flint import fmpq_mat

from memproof.arith import exact
from memproof.data import Dataset
from memproof.errors import InvalidArgumentError
from memproof.kruskal import VectorFamily, kruskal_rank
from memproof.kruskal.family import matrix_hash

U64_MAX = 2**64 - 1


def _det2(rows) -> int:
    (a, b), (c, d) = [[int(x) for x in r] for r in rows]
    return a * d - b * c


def test_uint64_independent_pair_is_not_reported_dependent():
    # wrapped to int64 these rows are (-1, 1) and (1, -1): "dependent" with the false null vector (1, 1)
    a = np.array([[U64_MAX, 1], [1, U64_MAX]], dtype=np.uint64)
    assert _det2(a.tolist()) != 0
    r = kruskal_rank(a, numerical=False)
    assert r.value == 2 and r.upper_certificate is None
    assert r.verify(a)


def test_uint64_dependent_pair_is_found_with_an_exact_null_vector():
    # row 1 = 2 * row 0 exactly; wrapped to int64 row 1 is (2, -2^63): "independent"
    a = np.array([[1, 2**62], [2, 2**63]], dtype=np.uint64)
    assert _det2(a.tolist()) == 0
    r = kruskal_rank(a, numerical=False)
    assert r.value == 1 and r.witness == [0, 1]
    x = r.upper_certificate.null_vector
    assert all(sum(c * int(v[j]) for c, v in zip(x, a.tolist())) == 0 for j in range(2))
    assert r.upper_certificate.verify(a)


def test_different_matrices_never_share_a_hash_equal_values_always_do():
    assert matrix_hash(np.array([[U64_MAX]], dtype=np.uint64)) != matrix_hash(np.array([[-1]], dtype=np.int64))
    assert matrix_hash([[2**64 + 5]]) != matrix_hash([[5]])
    assert matrix_hash([[2**53 + 1]]) != matrix_hash([[float(2**53 + 1)]])  # the float is 2^53
    same = [np.array([[2, -3]], dtype=dt) for dt in (np.int8, np.int16, np.int32, np.int64, np.float16, np.float32, np.float64)]
    same += [[[Fraction(2), -3]], [[2, Fraction(-6, 2)]], np.array([[2, -3.0]], dtype=object), [[2, -3]]]
    assert len({matrix_hash(m) for m in same}) == 1
    assert matrix_hash(np.array([[2, 3]], dtype=np.uint64)) == matrix_hash(np.array([[2, 3]], dtype=np.int8))
    assert matrix_hash([[Fraction(1, 3)]]) != matrix_hash([[1 / 3]])


@pytest.mark.parametrize("dt", [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64])
def test_every_integer_dtype_reduces_mod_p_at_its_true_value(dt):
    info = np.iinfo(dt)
    vals = np.array([[info.max, info.min, 1], [info.max - 1, 0, info.min + 1], [3, info.max // 2, 7]], dtype=dt)
    fam = VectorFamily.from_matrix(vals)
    for p in (16777213, 2147483647):
        assert fam.mod_p(p).tolist() == [[int(x) % p for x in row] for row in vals.tolist()]
    want = fmpq_mat([[int(x) for x in row] for row in vals.tolist()]).rank()
    assert fam.subset_rank([0, 1, 2]) == want == exact.rank(vals)


def test_python_ints_of_any_size_fractions_and_object_arrays_are_exact():
    big = 2**200 + 1
    rows = [[big, 3, 0], [2 * big, 6, 0], [Fraction(1, 3), 0.5, 7]]
    r = kruskal_rank(rows, numerical=False)
    assert r.value == 1 and r.witness == [0, 1] and r.verify(rows)
    obj = np.array(rows, dtype=object)
    assert kruskal_rank(obj, numerical=False).to_dict()["input_hash"] == r.input_hash
    assert exact.rank(obj) == 2
    assert exact.matrix_mod_p([[big]], 7).tolist() == [[big % 7]]


def test_longdouble_beyond_float64_is_not_rounded():
    eps = np.finfo(np.longdouble).eps
    if eps >= np.finfo(np.float64).eps:
        pytest.skip("longdouble is float64 on this platform")
    a = np.array([[1, 1], [1, 1 + eps]], dtype=np.longdouble)  # 1 + eps rounds to 1 in float64
    assert kruskal_rank(a, numerical=False).value == 2
    assert exact.rank(a) == 2


def test_float16_and_float32_are_their_exact_values():
    a = np.array([[0.1, 0.3], [1.0, 3.0]], dtype=np.float32)
    r = kruskal_rank(a, numerical=False)
    assert r.value == 2 and r.input_hash == matrix_hash(a.astype(np.float64))
    q = exact.to_fmpq_mat(np.array([[0.1]], dtype=np.float16))[0, 0]
    assert (int(q.p), int(q.q)) == (819, 8192) == Fraction(float(np.float16(0.1))).as_integer_ratio()


def test_numpy_bool_array_is_the_01_matrix_but_bool_entries_are_refused():
    assert kruskal_rank(np.array([[True, False], [False, True]]), numerical=False).value == 2
    with pytest.raises(InvalidArgumentError, match="bool"):
        kruskal_rank([[True, 1], [0, 1]])


@pytest.mark.parametrize("bad", [
    np.array([[1.0, np.nan]]), np.array([[np.inf, 1.0]], dtype=np.float32), [[1, float("nan")]],
    np.array([[1, np.nan]], dtype=object), [[Fraction(1, 2), float("-inf")]], np.array([[1 + 1j, 2]]),
    [[1, 2j]], np.array([["1", "2"]]), [[1, "2"]], [[1, None]], np.array([[1, 2]], dtype="datetime64[s]"),
])
def test_unrepresentable_input_is_refused_clearly(bad):
    with pytest.raises(InvalidArgumentError):
        kruskal_rank(bad)
    with pytest.raises(InvalidArgumentError):
        exact.rank(bad)


@pytest.mark.parametrize("queries", [
    np.array([[U64_MAX, 1], [1, 2]], dtype=np.uint64), [[2**53 + 1, 0], [0, 1]], [[Fraction(1, 3), 0], [0, 1]],
    np.array([[1, 2], [3, 4]], dtype=np.int64) * (2**60 + 1),
])
def test_dataset_refuses_values_float64_cannot_hold(queries):
    with pytest.raises(InvalidArgumentError, match="float64"):
        Dataset(queries, np.ones((1, 2)))


def test_dataset_accepts_exactly_representable_integers():
    ds = Dataset(np.array([[2**60, 1], [3, 2**63]], dtype=np.uint64), np.ones((1, 2)))
    assert ds.queries.dtype == np.float64 and ds.queries[1, 1] == 2.0**63 and math.isclose(ds.queries[0, 0], 2.0**60)
