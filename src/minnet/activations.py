"""Activation functions and their derivatives.

A layer computes ``a = f(z)``. During backpropagation it needs ``dC/dz`` from ``dC/da``;
for a function applied element by element that is the product ``dC/da * f'(z)``
(chapter 5, equation BP2). Softmax mixes the entries of a row, so it multiplies by its
Jacobian instead.

Each activation is an object you can call like a function::

    >>> from minnet import activations
    >>> float(activations.sigmoid(0.0)), float(activations.sigmoid.derivative(0.0))
    (0.5, 0.25)

Names are Keras's: ``activations.get("relu")`` returns :data:`relu`.
"""

from __future__ import annotations

import numpy as np

from .arguments import check_subclass_init
from .checks import lookup
from .errors import UnknownNameError

__all__ = [
    "Activation",
    "Linear",
    "Step",
    "Sigmoid",
    "Tanh",
    "ReLU",
    "LeakyReLU",
    "Softmax",
    "linear",
    "step",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "softmax",
    "get",
]


class Activation:
    r"""An activation :math:`a = f(z)`, applied to each entry of a weighted input :math:`z`,
    with its derivative :math:`f'(z)`.

    In backpropagation it turns :math:`\partial C / \partial a` into
    :math:`\partial C / \partial z = \partial C / \partial a \odot f'(z)` (:meth:`backward`)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        check_subclass_init(cls)  # a misspelled keyword names the closest valid one

    name = "activation"

    def __call__(self, z):
        raise NotImplementedError

    def derivative(self, z):
        """Element-wise derivative ``f'(z)``."""
        raise NotImplementedError

    def backward(self, z, a, grad_a):
        """Return ``dC/dz`` given ``dC/da``: the element-wise product ``grad_a * f'(z)``.

        ``a = f(z)`` is passed too, so activations whose derivative is cheapest in terms of
        their output (sigmoid, tanh) can use it.
        """
        return grad_a * self.derivative(z)

    def __repr__(self):
        return f"<activation {self.name}>"


class Linear(Activation):
    """The identity, :math:`f(z) = z` with :math:`f'(z) = 1`: what a ``Dense`` layer without
    activation computes."""

    name = "linear"

    def __call__(self, z):
        return z

    def derivative(self, z):
        return np.ones_like(z)

    def backward(self, z, a, grad_a):
        return grad_a


class Step(Activation):
    r"""Heaviside step, the perceptron's activation:

    .. math::

       f(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}

    Its derivative :math:`f'(z) = 0` wherever it exists (everywhere but :math:`z = 0`), which is
    why a network of step units cannot be trained by gradient descent (chapter 2)."""

    name = "step"

    def __call__(self, z):
        z = np.asarray(z)
        return (z > 0).astype(z.dtype if z.dtype.kind == "f" else float)

    def derivative(self, z):
        z = np.asarray(z)
        return np.zeros(z.shape, dtype=z.dtype if z.dtype.kind == "f" else float)


_LOWEST = {}


def _lowest_exponent(dtype):
    """The most negative ``z`` (a whole number) for which ``exp(-z)`` is still finite."""
    if dtype not in _LOWEST:
        _LOWEST[dtype] = float(np.ceil(-np.log(np.finfo(dtype).max)))  # -88 or -709
    return _LOWEST[dtype]


class Sigmoid(Activation):
    r"""Logistic sigmoid, with its derivative written through its own value:

    .. math::

       \sigma(z) = \frac{1}{1 + e^{-z}}, \qquad \sigma'(z) = \sigma(z)\,\bigl(1 - \sigma(z)\bigr).

    :math:`e^{-z}` overflows for very negative :math:`z` (below about -88.7 in float32), where
    :math:`\sigma(z)` is smaller than the smallest normal float anyway. So :math:`z` is first
    raised to that limit: the result is exact to rounding wherever it is a normal float, and
    below the smallest normal float (never ``nan``, never a warning) where the true value is too."""

    name = "sigmoid"

    def __call__(self, z):
        z = np.asarray(z)
        if z.dtype.kind != "f":
            z = z.astype(float)
        return 1 / (1 + np.exp(-np.maximum(z, _lowest_exponent(z.dtype), dtype=z.dtype)))

    def derivative(self, z):
        s = self(z)
        return s * (1 - s)

    def backward(self, z, a, grad_a):
        return grad_a * a * (1 - a)


class Tanh(Activation):
    r"""Hyperbolic tangent, :math:`f(z) = \tanh z = \dfrac{e^{z} - e^{-z}}{e^{z} + e^{-z}}`, with
    :math:`f'(z) = 1 - \tanh^2 z`."""

    name = "tanh"

    def __call__(self, z):
        return np.tanh(z)

    def derivative(self, z):
        return 1 - np.tanh(z) ** 2

    def backward(self, z, a, grad_a):
        return grad_a * (1 - a * a)


class ReLU(Activation):
    r"""Rectified linear unit:

    .. math::

       f(z) = \max(0, z), \qquad f'(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}

    At the kink :math:`z = 0` the derivative is taken as 0, as in Keras and TensorFlow."""

    name = "relu"

    def __call__(self, z):
        return np.maximum(z, 0)

    def derivative(self, z):
        z = np.asarray(z)
        return (z > 0).astype(z.dtype if z.dtype.kind == "f" else float)

    def backward(self, z, a, grad_a):
        return grad_a * (z > 0)


class LeakyReLU(Activation):
    r"""Leaky ReLU, with :math:`\alpha` = ``negative_slope``:

    .. math::

       f(z) = \begin{cases} z & z > 0 \\ \alpha z & z \le 0 \end{cases}, \qquad
       f'(z) = \begin{cases} 1 & z > 0 \\ \alpha & z \le 0 \end{cases}

    The slope :math:`\alpha` keeps units alive where a ReLU's gradient would be 0. Keras's
    default ``negative_slope`` is 0.2 (``keras.activations.leaky_relu``)."""

    name = "leaky_relu"

    def __init__(self, negative_slope=0.2):
        self.negative_slope = negative_slope

    def __call__(self, z):
        z = np.asarray(z)
        return np.where(z > 0, z, z * np.asarray(self.negative_slope, dtype=z.dtype))

    def derivative(self, z):
        z = np.asarray(z)
        dtype = z.dtype if z.dtype.kind == "f" else float
        return np.where(z > 0, 1, self.negative_slope).astype(dtype)


class Softmax(Activation):
    r"""Softmax over the last axis: for a row :math:`z` with entries :math:`z_j`,

    .. math::

       a_j = \operatorname{softmax}(z)_j = \frac{e^{z_j}}{\sum_k e^{z_k}} .

    Subtracting :math:`\max_k z_k` first changes nothing mathematically (the factor
    :math:`e^{-\max_k z_k}` cancels) and keeps :math:`e^{z_j}` from overflowing. Softmax mixes
    the entries of a row, so its derivative is the Jacobian
    :math:`\partial a_j / \partial z_k = a_j (\delta_{jk} - a_k)`, with :math:`\delta_{jk}` the
    Kronecker delta. For an upstream gradient :math:`g = \partial C / \partial a` the backward
    pass is, row by row,

    .. math::

       \frac{\partial C}{\partial z_k} = a_k \Bigl( g_k - \sum_j g_j a_j \Bigr) ."""

    name = "softmax"

    def __call__(self, z):
        z = np.asarray(z)
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def jacobian(self, z):
        r"""The Jacobian :math:`\partial a_j / \partial z_k = a_j (\delta_{jk} - a_k)` of each row
        of ``z``: for rows of ``m`` entries, an array of shape ``(..., m, m)``."""
        a = self(z)
        return a[..., :, None] * (np.eye(a.shape[-1], dtype=a.dtype) - a[..., None, :])

    def derivative(self, z):
        """The diagonal of the Jacobian, ``a_j (1 - a_j)``.

        Softmax is not element-wise: use :meth:`jacobian` or :meth:`backward` for gradients.
        """
        a = self(z)
        return a * (1 - a)

    def backward(self, z, a, grad_a):
        return a * (grad_a - np.sum(grad_a * a, axis=-1, keepdims=True))


#: The :class:`Linear` that Keras calls ``"linear"``, the identity :math:`f(z) = z`.
linear = Linear()
#: The :class:`Step` that Keras calls ``"step"``, the Heaviside step.
step = Step()
#: The :class:`Sigmoid` that Keras calls ``"sigmoid"``, the logistic sigmoid :math:`\sigma(z) = 1 / (1 + e^{-z})`.
sigmoid = Sigmoid()
#: The :class:`Tanh` that Keras calls ``"tanh"``, the hyperbolic tangent.
tanh = Tanh()
#: The :class:`ReLU` that Keras calls ``"relu"``, the rectified linear unit :math:`\max(0, z)`.
relu = ReLU()
#: The :class:`LeakyReLU` that Keras calls ``"leaky_relu"``, the leaky ReLU with Keras's slope 0.2.
leaky_relu = LeakyReLU()
#: The :class:`Softmax` that Keras calls ``"softmax"``, the softmax over the last axis.
softmax = Softmax()

_BY_NAME = {f.name: f for f in (linear, step, sigmoid, tanh, relu, leaky_relu, softmax)}


def get(identifier) -> Activation:
    """Look an activation up by its Keras name (``None`` means linear), or pass one through.

    A plain function is refused: backpropagation needs its derivative too. Wrap it in a
    subclass of :class:`Activation` that defines ``__call__`` and ``derivative``."""
    if identifier is None:
        return linear
    if callable(identifier) and not isinstance(identifier, (Activation, type)):
        name = getattr(identifier, "__name__", type(identifier).__name__)
        raise UnknownNameError(
            f"activations.get takes the name of an activation ({', '.join(sorted(_BY_NAME))}) "
            f"or an Activation object, got the plain function {name}. Backpropagation needs "
            "its derivative as well: subclass Activation, e.g.\n"
            "    class Swish(Activation):\n"
            "        name = 'swish'\n"
            "        def __call__(self, z): return z * sigmoid(z)\n"
            "        def derivative(self, z): s = sigmoid(z); return s * (1 + z * (1 - s))\n"
            "and pass an instance: Dense(10, activation=Swish())."
        )
    return lookup("activation", identifier, Activation, _BY_NAME)
