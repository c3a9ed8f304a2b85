"""Chapter 7 checkers: right answers pass, typical wrong ones fail with a specific hint,
a stub raising NotImplementedError is reported as not attempted."""

import numpy as np
import pytest

from minnet.exercises.training import (
    check_batch_indices,
    check_initial_loss,
    check_least_squares,
)

# ---------------------------------------------------------------- batch_indices


def batch_indices(n, batch_size, rng):
    order = np.arange(n) if rng is None else rng.permutation(n)
    return [order[s:s + batch_size] for s in range(0, n, batch_size)]


def test_batch_indices_passes():
    result = check_batch_indices(batch_indices, verbose=False)
    assert result, result.message
    assert result.message.startswith("PASS")


def test_batch_indices_generator_passes_too():
    def as_generator(n, batch_size, rng):
        order = np.arange(n) if rng is None else rng.permutation(n)
        for s in range(0, n, batch_size):
            yield order[s:s + batch_size]

    assert check_batch_indices(as_generator, verbose=False)


def _stub(*args):
    raise NotImplementedError


@pytest.mark.parametrize("check", [check_batch_indices, check_least_squares,
                                   check_initial_loss])
def test_stub_is_not_attempted(check):
    result = check(_stub, verbose=False)
    assert not result
    assert result.message.startswith("NOT ATTEMPTED YET")
    assert result.failure.kind == "not attempted"


def test_dropping_the_last_batch_fails_with_its_hint():
    def drop_last(n, batch_size, rng):
        order = np.arange(n) if rng is None else rng.permutation(n)
        return [order[s:s + batch_size] for s in range(0, n - batch_size + 1, batch_size)]

    result = check_batch_indices(drop_last, verbose=False)
    assert not result and "last batch is missing" in result.message
    assert "n = 10, batch_size = 3" in result.message


def test_sampling_with_replacement_fails():
    def with_replacement(n, batch_size, rng):
        order = np.arange(n) if rng is None else rng.integers(0, n, n)
        return [order[s:s + batch_size] for s in range(0, n, batch_size)]

    result = check_batch_indices(with_replacement, verbose=False)
    assert not result and "permutation" in result.message


def test_ignoring_the_rng_fails():
    def never_shuffles(n, batch_size, rng):
        return [np.arange(s, min(s + batch_size, n)) for s in range(0, n, batch_size)]

    result = check_batch_indices(never_shuffles, verbose=False)
    assert not result and "shuffle with it" in result.message


def test_global_shuffle_is_not_reproducible():
    def global_random(n, batch_size, rng):
        order = np.arange(n)
        if rng is not None:
            np.random.shuffle(order)  # noqa: NPY002 - the mistake under test
        return [order[s:s + batch_size] for s in range(0, n, batch_size)]

    result = check_batch_indices(global_random, verbose=False)
    assert not result and "Use the generator you are given" in result.message


def test_shuffling_inside_fixed_batches_fails():
    def inside_batches(n, batch_size, rng):
        batches = [np.arange(s, min(s + batch_size, n)) for s in range(0, n, batch_size)]
        return batches if rng is None else [rng.permutation(b) for b in batches]

    result = check_batch_indices(inside_batches, verbose=False)
    assert not result and "same examples together" in result.message


def test_returning_none_or_floats_fails():
    assert "return" in check_batch_indices(lambda n, b, r: None, verbose=False).message
    floats = check_batch_indices(
        lambda n, b, r: [np.arange(s, min(s + b, n), dtype=float) for s in range(0, n, b)],
        verbose=False)
    assert not floats and "integer indices" in floats.message


# ---------------------------------------------------------------- least squares


def least_squares(x, y):
    x = np.asarray(x, dtype=np.float64)
    design = np.column_stack([x, np.ones(len(x))])
    theta = np.linalg.solve(design.T @ design, design.T @ np.asarray(y, dtype=np.float64))
    return theta[:-1], theta[-1]


def test_least_squares_passes():
    result = check_least_squares(least_squares, verbose=False)
    assert result, result.message


def test_through_the_origin_fails_with_the_intercept_hint():
    def no_intercept(x, y):
        return np.linalg.lstsq(x.astype(float), y.astype(float), rcond=None)[0], np.zeros(1)

    result = check_least_squares(no_intercept, verbose=False)
    assert not result and "through the origin" in result.message


def test_one_feature_formula_fails_on_three_features():
    def slope_only(x, y):  # cov / var: right for one feature only
        x0 = x[:, 0]
        w = np.cov(x0, y[:, 0], bias=True)[0, 1] / np.var(x0)
        b = y.mean() - w * x0.mean()
        return np.full((x.shape[1], 1), w), np.array([b])

    result = check_least_squares(slope_only, verbose=False)
    assert not result and "three features" in result.message
    assert "normal equations" in result.message
    assert "the tutorial's data" in result.message  # passed before the failure


def test_wrong_shapes_fail_with_a_shape_hint():
    result = check_least_squares(lambda x, y: tuple(v.ravel() for v in least_squares(x, y)),
                                 verbose=False)
    assert not result and "Dense(1)" in result.message


def test_explicit_inverse_fails_as_the_statement_says():
    def with_inverse(x, y):
        design = np.column_stack([x, np.ones(len(x))]).astype(np.float64)
        theta = np.linalg.inv(design.T @ design) @ design.T @ y
        return theta[:-1], theta[-1]

    inv = np.linalg.inv
    result = check_least_squares(with_inverse, verbose=False)
    assert not result and "np.linalg.inv" in result.message
    assert np.linalg.inv is inv  # the checker puts numpy back as it was


def test_float32_arithmetic_gets_the_precision_hint():
    def in_float32(x, y):
        design = np.column_stack([x, np.ones(len(x))]).astype(np.float32)
        theta = np.linalg.solve(design.T @ design, design.T @ y.astype(np.float32))
        return theta[:-1], theta[-1]

    result = check_least_squares(in_float32, verbose=False)
    assert not result and "float64" in result.message


def test_column_of_ones_first_gets_its_hint():
    def ones_first(x, y):
        design = np.column_stack([np.ones(len(x)), x])
        theta = np.linalg.lstsq(design, y, rcond=None)[0]
        return theta[:-1], theta[-1]

    result = check_least_squares(ones_first, verbose=False)
    assert not result and "FIRST entry" in result.message


def test_least_squares_returning_one_array_fails():
    result = check_least_squares(lambda x, y: np.zeros(2), verbose=False)
    assert not result and "pair (w, b)" in result.message


# ----------------------------------------------------------------- initial loss


def test_initial_loss_passes():
    assert check_initial_loss(np.log, verbose=False)


@pytest.mark.parametrize(("wrong", "hint"), [
    (np.log10, "natural logarithm"),
    (lambda k: 1 / k, "minus the logarithm"),
    (lambda k: -np.log(1 - 1 / k), "not at the probability of the other classes"),
    (lambda k: -np.log(k), "Check the sign"),
    (np.log2, "not log2"),
])
def test_initial_loss_typical_mistakes(wrong, hint):
    result = check_initial_loss(wrong, verbose=False)
    assert not result and hint in result.message
