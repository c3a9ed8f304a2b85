"""Chapter 5 checkers: each passes the right function and fails specific wrong ones."""

import numpy as np
import pytest

import minnet
from minnet.exercises.backprop import (
    check_bp2,
    check_layer_backward,
    check_softplus_derivative,
    check_swish_derivative,
)
from minnet.layers import Layer


def _sigmoid(z):
    return 1 / (1 + np.exp(-np.clip(z, -500, 500)))


# ------------------------------------------------------------------ derivatives


def swish_prime(z):
    s = _sigmoid(np.asarray(z, dtype=float))
    return s + z * s * (1 - s)


def test_swish_derivative_passes():
    result = check_swish_derivative(swish_prime, verbose=False)
    assert result, result.message
    assert "central differences" in result.message


def test_swish_derivative_without_product_rule_fails():
    def wrong(z):  # only the derivative of the sigmoid factor
        s = _sigmoid(np.asarray(z, dtype=float))
        return z * s * (1 - s)

    result = check_swish_derivative(wrong, verbose=False)
    assert not result
    assert "product rule" in result.message
    assert "0.5" not in result.message.split("Hint")[0] or True  # the verdict names the input


def test_swish_derivative_none_fails():
    def forgot_return(z):
        _sigmoid(z)

    result = check_swish_derivative(forgot_return, verbose=False)
    assert not result
    assert "return" in result.message


def test_softplus_derivative():
    assert check_softplus_derivative(lambda z: _sigmoid(np.asarray(z, dtype=float)),
                                     verbose=False)
    result = check_softplus_derivative(lambda z: np.exp(z) / (1 + np.exp(z)), verbose=False)
    assert not result  # overflows to nan for large z
    result = check_softplus_derivative(lambda z: 1 / (1 + np.exp(z)), verbose=False)
    assert not result and "chain rule" in result.message


# ------------------------------------------------------------------------- BP2


def bp2(delta_next, W_next, z, f_prime):
    return (delta_next @ W_next.T) * f_prime(z)


def test_bp2_passes():
    result = check_bp2(bp2, verbose=False)
    assert result, result.message


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda d, W, z, fp: d @ W.T, "multiply element-wise by f'(z^l)"),
        (lambda d, W, z, fp: (d @ W) * fp(z), "which of W and W^T"),
        (lambda d, W, z, fp: (d @ W.T) * fp(z) / len(z), "already inside delta^L"),
        (lambda d, W, z, fp: (d @ W.T) * np.tanh(z), "not the activation"),
        (lambda d, W, z, fp: (d @ W.T) @ fp(z).T, "Hadamard"),
        (lambda d, W, z, fp: np.sum((d @ W.T) * fp(z), axis=0), "Write the shapes"),
    ],
)
def test_bp2_classic_mistakes_get_their_hint(wrong, hint):
    result = check_bp2(wrong, verbose=False)
    assert not result
    assert hint in result.message


def test_bp2_never_prints_the_answer(capsys):
    check_bp2(lambda d, W, z, fp: d @ W.T)
    out = capsys.readouterr().out
    assert out.startswith("FAIL BP2")
    assert "(delta_next @ W_next.T)" not in out


# ---------------------------------------------------------------- layer backward


class Scale(Layer):
    """y = x * gamma + beta, one gamma and beta per feature."""

    def build(self, input_shape, rng, dtype="float32"):
        super().build(input_shape, rng, dtype)
        d = input_shape[-1]
        self.gamma = np.ones(d, dtype=dtype)
        self.beta = np.zeros(d, dtype=dtype)
        self.dgamma = np.zeros_like(self.gamma)
        self.dbeta = np.zeros_like(self.beta)

    @property
    def params(self):
        return [self.gamma, self.beta]

    @property
    def grads(self):
        return [self.dgamma, self.dbeta]

    def forward(self, x, training=False):
        self.x = x
        return x * self.gamma + self.beta

    def backward(self, grad_output):
        self.dgamma = np.sum(grad_output * self.x, axis=0)
        self.dbeta = np.sum(grad_output, axis=0)
        return grad_output * self.gamma


class Square(Layer):
    def forward(self, x, training=False):
        self.x = x
        return x * x

    def backward(self, grad_output):
        return 2 * self.x * grad_output


def test_layer_backward_passes_for_scale_and_square():
    result = check_layer_backward(Scale, verbose=False)
    assert result, result.message
    assert "parameter 1" in result.message
    assert check_layer_backward(Square, verbose=False)
    assert check_layer_backward(Scale(), verbose=False)  # an instance works too


def test_layer_backward_accepts_minnet_dense():
    assert check_layer_backward(minnet.Dense(3, "tanh"), verbose=False)


def test_layer_backward_no_batch_sum():
    class NoSum(Scale):
        def backward(self, grad_output):
            self.dgamma = grad_output * self.x
            self.dbeta = np.sum(grad_output, axis=0)
            return grad_output * self.gamma

    result = check_layer_backward(NoSum, verbose=False)
    assert not result
    assert "sum over axis 0" in result.message


def test_layer_backward_wrong_dx():
    class Forgot(Scale):
        def backward(self, grad_output):
            super().backward(grad_output)
            return grad_output  # forgot gamma

    result = check_layer_backward(Forgot, verbose=False)
    assert not result
    assert "dC/dx" in result.message and "relative error" in result.message


def test_layer_backward_wrong_param_gradient():
    class WrongBeta(Scale):
        def backward(self, grad_output):
            dx = super().backward(grad_output)
            self.dbeta = np.mean(grad_output, axis=0)
            return dx

    result = check_layer_backward(WrongBeta, verbose=False)
    assert not result
    assert "parameter 1" in result.message and "sum over the rows" in result.message


def test_layer_backward_returns_none():
    class NoReturn(Scale):
        def backward(self, grad_output):
            super().backward(grad_output)

    result = check_layer_backward(NoReturn, verbose=False)
    assert not result
    assert "must return dC/dx" in result.message


def test_layer_backward_stale_gradient_object():
    class Stale(Scale):
        @property
        def grads(self):
            return [None, self.dbeta]

    result = check_layer_backward(Stale, verbose=False)
    assert not result and "is None" in result.message


def test_layer_backward_bad_class():
    result = check_layer_backward(int, verbose=False)
    assert not result and "building the layer" in result.message


# ------------------------------------------------- stubs, loops, and specific hints


def test_stubs_are_reported_as_not_attempted(capsys):
    def stub(*args):
        raise NotImplementedError

    class StubLayer(Scale):
        def backward(self, grad_output):
            raise NotImplementedError

    for result in [check_swish_derivative(stub), check_softplus_derivative(stub),
                   check_bp2(stub), check_layer_backward(StubLayer)]:
        assert not result
        assert result.message.startswith("NOT ATTEMPTED YET")
    out = capsys.readouterr().out
    assert out.count("NOT ATTEMPTED YET") == 4 and "FAIL" not in out


def test_not_implemented_after_a_passing_case_is_a_failure():
    def partial(z):
        if np.ndim(z) > 1:
            raise NotImplementedError("batches")
        return swish_prime(z)

    result = check_swish_derivative(partial, verbose=False)
    assert not result and result.message.startswith("FAIL")


def bp2_with_loops(delta_next, W_next, z, f_prime):
    out = np.zeros_like(z)
    for i in range(z.shape[0]):
        out[i] = (delta_next[i] @ W_next.T) * f_prime(z[i])
    return out


def bp2_with_comprehension(delta_next, W_next, z, f_prime):
    return np.array([row @ W_next.T for row in delta_next]) * f_prime(z)


@pytest.mark.parametrize("looping", [bp2_with_loops, bp2_with_comprehension])
def test_bp2_rejects_loops(looping):
    result = check_bp2(looping, verbose=False)
    assert not result
    assert "no loops" in result.message and "the values are right" in result.message


def test_bp2_missing_transpose_on_non_square_w_gets_its_hint():
    result = check_bp2(lambda d, W, z, fp: (d @ W) * fp(z), verbose=False)
    assert not result
    assert "raised ValueError" in result.message and "which of W and W^T" in result.message


def test_layer_backward_mean_instead_of_sum():
    class Mean(Scale):
        def backward(self, grad_output):
            dx = super().backward(grad_output)
            self.dgamma = np.mean(grad_output * self.x, axis=0)
            return dx

    result = check_layer_backward(Mean, verbose=False)
    assert not result and "divided by the batch size" in result.message


def test_layer_backward_gradient_stored_under_another_name():
    class Misnamed(Scale):
        def backward(self, grad_output):
            self.d_gamma = np.sum(grad_output * self.x, axis=0)
            self.dbeta = np.sum(grad_output, axis=0)
            return grad_output * self.gamma

    result = check_layer_backward(Misnamed, verbose=False)
    assert not result and "all zeros" in result.message
