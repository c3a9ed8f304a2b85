"""minnet.datasets toy generators: shapes, dtypes, determinism, balance, noise statistics."""

import numpy as np
import pytest

from minnet.datasets import make_linear, make_moons, make_spirals, make_xor
from minnet.errors import ConfigError, MinnetError

GENERATORS = {
    "moons": (make_moons, {}),
    "spirals": (make_spirals, {}),
    "xor corners": (make_xor, {}),
    "xor quadrants": (make_xor, {"kind": "quadrants"}),
    "linear": (make_linear, {}),
}


@pytest.mark.parametrize("name", GENERATORS)
def test_keras_shapes_and_dtypes(name):
    make, kwargs = GENERATORS[name]
    x, y = make(101, seed=1, **kwargs) if name != "spirals" else make(101, seed=1)
    assert x.dtype == np.float32 and x.ndim == 2 and len(x) == 101
    assert len(y) == 101
    if name == "spirals":
        assert y.shape == (101,) and y.dtype == np.int64
    else:
        assert y.shape == (101, 1) and y.dtype == np.float32
    assert np.all(np.isfinite(x)) and np.all(np.isfinite(y))


@pytest.mark.parametrize("name", GENERATORS)
def test_seed_gives_bit_identical_data(name):
    make, kwargs = GENERATORS[name]
    x1, y1 = make(seed=7, **kwargs)
    x2, y2 = make(seed=7, **kwargs)
    x3, _ = make(seed=8, **kwargs)
    assert x1.tobytes() == x2.tobytes() and y1.tobytes() == y2.tobytes()
    assert x1.tobytes() != x3.tobytes()


@pytest.mark.parametrize("n", [2, 9, 200, 201])
def test_moons_are_balanced_and_interleave(n):
    x, y = make_moons(n, noise=0.0, seed=0)
    assert int(y.sum()) == n // 2
    upper, lower = x[y[:, 0] == 0], x[y[:, 0] == 1]
    # without noise, class 0 is the upper unit half circle, class 1 the shifted lower one
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1, atol=1e-6)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1, atol=1e-6)
    assert upper[:, 1].min() >= -1e-6 and lower[:, 1].max() <= 0.5 + 1e-6


def test_moons_rows_are_shuffled():
    _, y = make_moons(200, seed=0)
    assert 0 < y[:100].sum() < 100  # the first half holds both classes


def test_moons_noise_has_the_requested_spread():
    x0, _ = make_moons(4000, noise=0.0, seed=3)
    x1, _ = make_moons(4000, noise=0.2, seed=3)
    # the same seed draws the same noise after the same clean points; compare sorted sets
    assert x1.std() > x0.std()
    assert np.std(x1 - make_moons(4000, noise=0.0, seed=3)[0]) > 0


@pytest.mark.parametrize(("n", "k"), [(300, 3), (301, 3), (10, 5), (2, 2)])
def test_spirals_class_balance(n, k):
    _, y = make_spirals(n, k, seed=0)
    counts = np.bincount(y, minlength=k)
    assert counts.sum() == n and counts.max() - counts.min() <= 1
    assert set(np.unique(y)) == set(range(k))


def test_spirals_radius_in_unit_disc():
    x, _ = make_spirals(500, 4, noise=0.5, seed=0)
    assert np.hypot(x[:, 0], x[:, 1]).max() <= 1 + 1e-6


def test_spiral_arms_are_rotations_of_each_other():
    x, y = make_spirals(300, 3, noise=0.0, seed=0)
    arm0 = x[y == 0][np.argsort(np.hypot(*x[y == 0].T))]
    arm1 = x[y == 1][np.argsort(np.hypot(*x[y == 1].T))]
    c, s = np.cos(2 * np.pi / 3), np.sin(2 * np.pi / 3)
    np.testing.assert_allclose(arm0 @ np.array([[c, s], [-s, c]]), arm1, atol=1e-5)


@pytest.mark.parametrize("n", [4, 7, 200, 203])
def test_xor_corners_balanced_and_labelled_by_xor(n):
    x, y = make_xor(n, noise=0.0, seed=0)
    corners, counts = np.unique(x, axis=0, return_counts=True)
    assert len(corners) == 4 and counts.max() - counts.min() <= 1
    expected = (np.rint(x[:, 0]) != np.rint(x[:, 1])).astype(np.float32)
    np.testing.assert_array_equal(y[:, 0], expected)


def test_xor_corner_noise_statistics():
    x, y = make_xor(20000, noise=0.1, seed=0)
    offset = x - np.rint(x)  # noise of 0.1 keeps every point nearest its own corner
    assert abs(offset.mean()) < 0.003
    assert abs(offset.std() - 0.1) < 0.003
    np.testing.assert_array_equal(y[:, 0], np.rint(x[:, 0]) != np.rint(x[:, 1]))


def test_xor_quadrants_and_label_noise():
    x, y = make_xor(20000, noise=0.0, kind="quadrants", seed=0)
    assert np.abs(x).max() <= 1
    np.testing.assert_array_equal(y[:, 0], (x[:, 0] * x[:, 1] < 0))
    assert abs(y.mean() - 0.5) < 0.02
    x, y = make_xor(20000, noise=0.1, kind="quadrants", seed=0)
    flipped = np.mean(y[:, 0] != (x[:, 0] * x[:, 1] < 0))
    assert abs(flipped - 0.1) < 0.01


def test_linear_uniform_noise_is_the_tutorials():
    x, y = make_linear(50000, w=3.0, b=0.0, seed=0)
    eps = (y - 3.0 * x)[:, 0]
    assert 0 <= eps.min() and eps.max() < 1
    assert abs(eps.mean() - 0.5) < 0.005  # U(0, 1): mean 1/2
    assert abs(eps.var() - 1 / 12) < 0.002  # variance 1/12
    assert 0 <= x.min() and x.max() < 1


def test_linear_normal_none_and_callable_noise():
    x, y = make_linear(50000, w=[1.0, -2.0], b=0.5, noise="normal", noise_scale=0.3,
                       n_features=2, seed=0)
    eps = y[:, 0] - (x @ np.array([1.0, -2.0]) + 0.5)
    assert abs(eps.mean()) < 0.01 and abs(eps.std() - 0.3) < 0.01
    x, y = make_linear(20, w=2.0, b=1.0, noise=None, x_range=(-1, 1), seed=0)
    np.testing.assert_allclose(y, 2 * x + 1, atol=1e-6)
    x, y = make_linear(1000, w=0.0, noise=lambda rng, size: rng.laplace(0, 1, size), seed=0)
    assert x.shape == (1000, 1) and y.std() > 1


@pytest.mark.parametrize(("make", "kwargs", "match"), [
    (make_moons, {"n_samples": 1}, "n_samples"),
    (make_moons, {"noise": -0.1}, "noise"),
    (make_moons, {"n_samples": 2.5}, "n_samples"),
    (make_spirals, {"n_classes": 1}, "n_classes"),
    (make_spirals, {"n_samples": 2, "n_classes": 3}, "n_samples"),
    (make_spirals, {"noise": float("nan")}, "noise"),
    (make_xor, {"kind": "diagonal"}, "kind"),
    (make_xor, {"n_samples": 3}, "n_samples"),
    (make_xor, {"kind": "quadrants", "noise": 1.5}, "fraction"),
    (make_linear, {"noise": "poisson"}, "noise"),
    (make_linear, {"noise_scale": -1}, "noise_scale"),
    (make_linear, {"x_range": (1, 0)}, "x_range"),
    (make_linear, {"w": [1.0, 2.0]}, "slopes"),
    (make_linear, {"noise": lambda rng, size: np.zeros(3)}, "numbers"),
    (make_linear, {"b": "half"}, "intercept"),
])
def test_bad_arguments_raise_clear_errors(make, kwargs, match):
    with pytest.raises(ConfigError, match=match) as info:
        make(**kwargs)
    assert isinstance(info.value, (MinnetError, ValueError))


def test_toy_generators_are_public():
    import minnet.datasets as datasets

    for name in ("make_moons", "make_spirals", "make_xor", "make_linear"):
        assert name in datasets.__all__
