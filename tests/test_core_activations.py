"""minnet.activations: derivatives, stability, dtypes."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from minnet import activations

ELEMENTWISE = ["linear", "sigmoid", "tanh", "relu", "leaky_relu"]
finite = st.floats(-30, 30, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(ELEMENTWISE), z=arrays(np.float64, (4, 3), elements=finite))
def test_derivative_matches_central_difference(name, z):
    f = activations.get(name)
    z = np.where(np.abs(z) < 1e-3, 0.5, z)  # away from the ReLU kink
    eps = 1e-6
    numeric = (f(z + eps) - f(z - eps)) / (2 * eps)
    np.testing.assert_allclose(f.derivative(z), numeric, rtol=1e-6, atol=1e-8)
    grad_a = np.ones_like(z)
    np.testing.assert_allclose(f.backward(z, f(z), grad_a), f.derivative(z), rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(z=arrays(np.float64, (3, 5), elements=finite))
def test_softmax_jacobian_matches_central_difference(z):
    f = activations.softmax
    eps = 1e-6
    numeric = np.stack(
        [(f(z + eps * e) - f(z - eps * e)) / (2 * eps) for e in np.eye(5)], axis=-1
    )  # numeric[i, j, k] = d a_j / d z_k for row i
    np.testing.assert_allclose(f.jacobian(z), numeric, rtol=1e-5, atol=1e-9)
    g = np.arange(15.0).reshape(3, 5)
    expected = np.einsum("ij,ijk->ik", g, f.jacobian(z))
    np.testing.assert_allclose(f.backward(z, f(z), g), expected, rtol=1e-9, atol=1e-12)


def test_sigmoid_and_softmax_never_overflow():
    z = np.array([-1e4, -800.0, 0.0, 800.0, 1e4])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = activations.sigmoid(z)
        p = activations.softmax(np.array([[1000.0, 0.0, -1000.0]]))
    # Where s(z) is below the smallest normal float it comes out below it too, never as
    # nan or a warning; elsewhere it is exact to rounding.
    assert np.all(s[:2] < np.finfo(np.float64).tiny) and np.all(s[:2] >= 0)
    np.testing.assert_array_equal(s[2:], [0.5, 1.0, 1.0])
    z32 = np.array([-1e4, -30.0, 30.0], dtype=np.float32)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s32 = activations.sigmoid(z32)
    assert s32.dtype == np.float32 and s32[0] < np.finfo(np.float32).tiny
    np.testing.assert_allclose(s32[1], np.exp(-30.0), rtol=1e-6)
    np.testing.assert_allclose(p, [[1.0, 0.0, 0.0]])


def test_activations_keep_float32():
    z = np.linspace(-3, 3, 7, dtype=np.float32)
    for name in [*ELEMENTWISE, "softmax", "step"]:
        f = activations.get(name)
        assert f(z).dtype == np.float32, name
        assert f.derivative(z).dtype == np.float32, name


def test_step_is_the_perceptron_threshold():
    np.testing.assert_array_equal(activations.step(np.array([-1.0, 0.0, 2.0])), [0, 0, 1])
    np.testing.assert_array_equal(activations.step.derivative(np.array([-1.0, 2.0])), [0, 0])
