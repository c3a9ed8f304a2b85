r"""Layers: each one a forward pass and the backward pass that undoes it.

Shapes are batch-first, as in Keras: a batch ``x`` of ``n`` examples with ``n_in``
features has shape ``(n, n_in)``. A ``Dense`` layer :math:`l` computes, for the whole batch,

.. math::

    Z^l = A^{l-1} W^l + b^l, \qquad A^l = f(Z^l),

with shapes :math:`(n, n_l) = (n, n_{l-1})\,(n_{l-1}, n_l) + (n_l,)`. Its backward pass,
given ``grad_output`` :math:`= \partial C/\partial A^l`, computes the four equations of
backpropagation (chapter 5):

.. math::

    \Delta^l &= \frac{\partial C}{\partial A^l} \odot f'(Z^l)
        \qquad \text{(BP1 at the output, BP2 elsewhere)}\\
    \frac{\partial C}{\partial W^l} &= \left(A^{l-1}\right)^{\mathsf T} \Delta^l
        \qquad \text{(BP4, summed over the batch)}\\
    \frac{\partial C}{\partial b^l} &= \textstyle\sum_i \Delta^l_{i,:}
        \qquad \text{(BP3: the sum of the rows)}\\
    \frac{\partial C}{\partial A^{l-1}} &= \Delta^l \left(W^l\right)^{\mathsf T}
        \qquad \text{(what the previous layer receives)}

:math:`C` here is the batch loss, a mean over the :math:`n` examples. The :math:`1/n` of
that mean lives in the output delta :math:`\Delta^L = \partial C/\partial Z^L`, which the
loss computes (:meth:`minnet.losses.Loss.delta`); the layers add no division:
:math:`\partial C/\partial W^l = (A^{l-1})^{\mathsf T} \Delta^l` and
:math:`\partial C/\partial b^l` is the plain sum of the rows of :math:`\Delta^l`.
"""

from __future__ import annotations

import functools
import numbers

import numpy as np

from . import activations as activations_module
from . import initializers, regularizers
from .arguments import accepted_names, check, checked, init_names
from .errors import ConfigError, NotInMinnetError, ShapeError, WeightsError

__all__ = [
    "INPUT_KEYWORDS",
    "batch_input_shape",
    "unique_name",
    "find_layer",
    "cast",
    "Layer",
    "Dense",
    "Activation",
    "Dropout",
    "Flatten",
    "InputLayer",
    "Input",
]

#: Keras's ways of giving a first layer its input shape, accepted by every layer.
INPUT_KEYWORDS = ("input_shape", "input_dim", "batch_input_shape")


def batch_input_shape(input_shape=None, input_dim=None, batch_input_shape=None):
    """``(None, *input_shape)`` from Keras's ``input_shape=(28, 28)``, ``input_dim=10`` or
    ``batch_input_shape=(None, 10)``: the shape of a batch, its size left open."""
    given = [k for k, v in [("input_shape", input_shape), ("input_dim", input_dim),
                            ("batch_input_shape", batch_input_shape)] if v is not None]
    if len(given) > 1:
        raise ConfigError(f"Give one of {', '.join(given)}, not several.")
    if input_dim is not None:
        input_shape = (input_dim,)
    elif batch_input_shape is not None:
        input_shape = tuple(batch_input_shape)[1:]
    if input_shape is None:
        return None
    input_shape = (input_shape,) if isinstance(input_shape, numbers.Integral) else input_shape
    dims = tuple(input_shape)
    if not dims or not all(isinstance(d, numbers.Integral) and not isinstance(d, bool)
                           and d > 0 for d in dims):
        raise ConfigError(
            f"An input shape is the shape of one example, a tuple of positive integers such "
            f"as (28, 28) or (10,); got {input_shape!r}."
        )
    return (None, *(int(d) for d in dims))


def _taking_input_shape(init, class_name):
    """Wrap a layer's ``__init__``: Keras's ``input_shape=``/``input_dim=`` are taken here
    (unless the layer takes them itself) and kept as ``batch_input_shape``; any other
    unknown keyword raises :class:`~minnet.errors.UnknownArgumentError`."""
    own = accepted_names(init)
    valid = accepted_names(init, also=INPUT_KEYWORDS)

    @functools.wraps(init)
    def wrapper(self, *args, **kwargs):
        check(f"{class_name}()", kwargs, valid)
        shape = {k: kwargs.pop(k) for k in INPUT_KEYWORDS if k in kwargs and k not in own}
        init(self, *args, **kwargs)
        if shape:
            self.batch_input_shape = batch_input_shape(**shape)

    wrapper._minnet_checked = True
    return wrapper


def unique_name(name: str, taken) -> str:
    """``name``, or ``name_1``, ``name_2``, ... : the first not in ``taken``."""
    base, i = name, 0
    while name in taken:
        i += 1
        name = f"{base}_{i}"
    return name


def find_layer(layers, name=None, index=None):
    """The layer called ``name`` in ``layers``, or the one at position ``index``."""
    if index is not None:
        return layers[index]
    for layer in layers:
        if layer.name == name:
            return layer
    raise ConfigError(f"No layer is called {name!r}; the layers are {[layer.name for layer in layers]}.")


def cast(layer, dtype) -> None:
    """Convert every float array ``layer`` holds (parameters, gradients, cached values) to
    ``dtype``, in place."""
    layer.dtype = np.dtype(dtype)
    for name, value in vars(layer).items():
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            setattr(layer, name, value.astype(layer.dtype))


class Layer:
    r"""Base class. A layer maps a batch forward, :math:`A^{l-1} \mapsto A^l`, and a gradient
    backward, :math:`\partial C / \partial A^l \mapsto \partial C / \partial A^{l-1}`.

    ``params`` and ``grads`` list the trainable arrays and their gradients, in the same
    order (Keras's ``get_weights`` order). A layer that applies an activation of its own
    keeps its ``activation``, its pre-activation ``z`` (:math:`Z^l`) and its output ``a``
    (:math:`A^l`) after ``forward``, and implements :meth:`backward_delta`; for the others
    ``z`` is ``None`` and the activation is the identity."""

    activation = activations_module.linear
    z = None
    #: ``(None, *shape)`` when the layer was given Keras's ``input_shape=`` or ``input_dim=``
    batch_input_shape = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.__init__ = _taking_input_shape(cls.__init__, cls.__name__)

    def __init__(self, name=None):
        self.name = name or type(self).__name__.lower()
        self.built = False
        self.input_shape = None
        self.output_shape = None

    @property
    def params(self):
        """The trainable arrays themselves, in Keras's ``get_weights`` order (``[W, b]`` for a
        ``Dense``, none for a layer without parameters)."""
        return []

    @property
    def grads(self):
        """The gradients of :attr:`params`, in the same order, as the last ``backward`` left
        them: ``[dW, db]`` for a ``Dense``."""
        return []

    # ----------------------------------------------------- Keras's weights and config
    @property
    def weights(self):
        """The parameter arrays themselves (not copies), ``[W, b]`` for a ``Dense``."""
        return list(self.params) if self.built else []

    def get_weights(self):
        """Copies of the parameter arrays, in Keras's order; ``[]`` before ``build``."""
        return [p.copy() for p in self.weights]

    def set_weights(self, weights):
        """Overwrite the parameters with ``weights`` (ordered and shaped like
        :meth:`get_weights`). Every shape is checked before anything is written."""
        params, weights = self.weights, [np.asarray(w) for w in weights]
        if len(weights) != len(params):
            raise WeightsError(
                f"Layer {self.name!r} has {len(params)} weight arrays "
                f"{[p.shape for p in params]}, but set_weights got {len(weights)}."
                + ("" if self.built else " Build the model first.")
            )
        for i, (p, w) in enumerate(zip(params, weights, strict=True)):
            if w.shape != p.shape:
                raise WeightsError(
                    f"Weight {i} of layer {self.name!r} has shape {p.shape}; got {w.shape}. "
                    "Kernels are (n_in, n_out), as in Keras; transpose with .T."
                )
        for p, w in zip(params, weights, strict=True):
            np.copyto(p, w.astype(p.dtype, copy=False))

    def get_config(self) -> dict:
        """The arguments that rebuild this layer (``type(layer).from_config(config)``),
        as JSON-ready values: names, numbers, and ``{"module", "class_name", "config"}``
        for an initializer, regularizer or parametrized activation."""
        from .serialization import serialize

        config = {name: serialize(getattr(self, name, None)) for name in init_names(type(self))}
        if self.batch_input_shape is not None:
            config["batch_input_shape"] = list(self.batch_input_shape)
        return config

    @classmethod
    def from_config(cls, config):
        """A new layer from :meth:`get_config`'s dict."""
        from .serialization import deserialize

        return cls(**{key: deserialize(value) for key, value in config.items()})

    def build(self, input_shape, rng, dtype="float32"):
        """Create the parameters for inputs of shape ``(None, *input_shape[1:])``."""
        self.input_shape = tuple(input_shape)
        self.output_shape = self.compute_output_shape(self.input_shape)
        self.dtype = np.dtype(dtype)
        self.built = True

    def compute_output_shape(self, input_shape):
        """The shape of the output for inputs of shape ``input_shape`` (the batch size may be
        ``None``)."""
        return input_shape

    def forward(self, x, training=False):
        """The layer's output for the batch ``x``. ``training=True`` during ``fit`` (dropout
        drops only then); what ``backward`` needs is kept on the layer."""
        raise NotImplementedError

    def backward(self, grad_output):
        """Given ``dC/d(output)``, store parameter gradients and return ``dC/d(input)``."""
        raise NotImplementedError

    def backward_delta(self, delta, input_gradient=True):
        """Backward from ``delta = dC/dz``, the gradient at the input of the activation.

        The model calls it on its last layer with the loss's output delta. Without an
        activation of its own a layer's ``z`` is its output, so this is :meth:`backward`.
        """
        return self.backward(delta)

    def backprop(self, grad_output, input_gradient=True):
        """What the model calls on the layers below the last: :meth:`backward`, told whether
        ``dC/d(input)`` is needed (not for the first layer, whose input is the data).

        A layer that can skip that product overrides this; by default it is computed.
        """
        return self.backward(grad_output)

    def regularization_loss(self) -> float:
        """The penalty this layer adds to the loss: its regularizer's value on its kernel, 0
        without one."""
        return 0.0

    def __call__(self, x, training=False):
        """The layer applied to an array, as Keras layers can be: ``forward(x)`` (built
        first, with fresh weights, if need be). Keras's functional API, which calls layers
        on ``Input``, is not minnet's."""
        if isinstance(x, Layer):
            raise NotInMinnetError(
                "minnet has no functional API (outputs = Dense(...)(inputs); "
                "keras.Model(inputs, outputs)): put the layers in a Sequential([...]) instead."
            )
        x = np.asarray(x)
        if not self.built:
            self.build((None, *x.shape[1:]), np.random.default_rng(),
                       x.dtype if x.dtype.kind == "f" else "float32")
        return self.forward(x.astype(self.dtype, copy=False), training=training)

    def count_params(self) -> int:
        """The number of scalar parameters, as Keras's ``count_params``."""
        return int(sum(p.size for p in self.params))

    def __repr__(self):
        return f"<{type(self).__name__} {self.name}>"


class Dense(Layer):
    r"""A fully connected layer. Forward, for a batch :math:`A^{l-1}` of shape :math:`(n, n_{l-1})`:

    .. math::

       Z^l = A^{l-1} W^l + b^l, \qquad A^l = f^l(Z^l).

    Backward, given :math:`\partial C / \partial A^l` (BP1/BP2, BP4, BP3 of chapter 5, and what
    the layer below receives):

    .. math::

       \Delta^l &= \frac{\partial C}{\partial A^l} \odot f^{l\prime}(Z^l),

       \frac{\partial C}{\partial W^l} &= \left(A^{l-1}\right)^{\mathsf T} \Delta^l, \qquad
       \frac{\partial C}{\partial b^l} = \mathbf{1}_n^{\mathsf T} \Delta^l,

       \frac{\partial C}{\partial A^{l-1}} &= \Delta^l \left(W^l\right)^{\mathsf T},

    plus :math:`\partial R / \partial W^l` with a ``kernel_regularizer``. The :math:`\frac1n` of
    the batch mean is already in :math:`\Delta^L`; the layer divides by nothing.

    ``W`` has shape ``(n_in, units)`` and ``b`` shape ``(units,)``, exactly as in
    ``keras.layers.Dense``, so weights copy between the two unchanged."""

    def __init__(
        self,
        units,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        input_dim=None,
        name=None,
    ):
        super().__init__(name)
        if isinstance(units, bool) or not isinstance(units, numbers.Integral) or units < 1:
            raise ConfigError(f"Dense needs a positive integer number of units, got {units!r}.")
        self.units = int(units)
        self.activation = activations_module.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.input_dim = input_dim
        self.W = self.b = self.dW = self.db = None
        self.x = self.z = self.a = None

    @property
    def params(self):
        return [self.W, self.b] if self.use_bias else [self.W]

    @property
    def grads(self):
        return [self.dW, self.db] if self.use_bias else [self.dW]

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def build(self, input_shape, rng, dtype="float32"):
        if len(input_shape) != 2:
            raise ShapeError(
                f"Dense expects inputs of shape (batch, features), got {tuple(input_shape)}. "
                "Put a Flatten() layer first to turn images into vectors."
            )
        n_in = input_shape[-1]
        super().build(input_shape, rng, dtype)
        self.W = self.kernel_initializer((n_in, self.units), rng, dtype)
        self.dW = np.zeros_like(self.W)
        if self.use_bias:
            self.b = self.bias_initializer((self.units,), rng, dtype)
            self.db = np.zeros_like(self.b)

    def forward(self, x, training=False):
        """``z = x W + b`` and ``a = f(z)``; ``x``, ``z`` and ``a`` are kept for ``backward``."""
        self.x = x
        self.z = x @ self.W
        if self.use_bias:
            self.z += self.b
        self.a = self.activation(self.z)
        return self.a

    def backward(self, grad_output, input_gradient=True):
        """``delta = grad_output * f'(z)``, then the gradients (see :meth:`backward_delta`).

        With ``input_gradient=False`` (the model's first layer, whose input is the data)
        ``dC/dx`` is not needed, so it is not computed and ``None`` is returned.
        """
        delta = self.activation.backward(self.z, self.a, grad_output)
        return self.backward_delta(delta, input_gradient)

    def backprop(self, grad_output, input_gradient=True):
        return self.backward(grad_output, input_gradient)  # the first layer skips dC/dx

    def backward_delta(self, delta, input_gradient=True):
        """Given ``delta = dC/dz``, store ``dC/dW = x^T delta``, ``dC/db = sum(delta)``.

        Returns ``dC/dx = delta W^T`` for the layer below.
        """
        self.dW = self.x.T @ delta
        if self.kernel_regularizer is not None:
            self.dW += self.kernel_regularizer.gradient(self.W)
        if self.use_bias:
            self.db = delta.sum(axis=0)
        return delta @ self.W.T if input_gradient else None

    def regularization_loss(self) -> float:
        return self.kernel_regularizer(self.W) if self.kernel_regularizer is not None else 0.0

    def __repr__(self):
        return f"Dense({self.units}, activation={self.activation.name!r})"


class Activation(Layer):
    r"""Applies an activation on its own, with no parameters: :math:`A^l = f(A^{l-1})`, and
    backward :math:`\partial C / \partial A^{l-1} = \partial C / \partial A^l \odot f'(A^{l-1})`."""

    def __init__(self, activation, name=None):
        super().__init__(name)
        self.activation = activations_module.get(activation)
        self.z = self.a = None

    def forward(self, x, training=False):
        self.z = x
        self.a = self.activation(x)
        return self.a

    def backward(self, grad_output):
        return self.activation.backward(self.z, self.a, grad_output)

    def backward_delta(self, delta, input_gradient=True):
        return delta  # z is this layer's input: dC/dx = dC/dz

    def __repr__(self):
        return f"Activation({self.activation.name!r})"


class Dropout(Layer):
    r"""Inverted dropout, as in Keras. During training, with :math:`r` = ``rate``, each input is
    kept with probability :math:`1 - r` and the survivors are scaled up:

    .. math::

       A^l = A^{l-1} \odot M, \qquad
       M_{ij} = \begin{cases} \frac{1}{1 - r} & \text{with probability } 1 - r \\
                              0 & \text{with probability } r \end{cases}

    so the expected output equals the input and nothing needs rescaling at test time; the
    backward pass multiplies by the same mask,
    :math:`\partial C / \partial A^{l-1} = \partial C / \partial A^l \odot M`. Outside training
    it passes inputs through unchanged."""

    def __init__(self, rate, seed=None, name=None):
        super().__init__(name)
        if not 0 <= rate < 1:
            raise ConfigError(
                f"Dropout rate is the fraction of units to drop and must be in [0, 1), got {rate!r}."
            )
        self.rate = float(rate)
        self.seed = seed
        self.mask = None
        self.rng = None

    def build(self, input_shape, rng, dtype="float32"):
        super().build(input_shape, rng, dtype)
        self.rng = np.random.default_rng(self.seed) if self.seed is not None else rng

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            self.mask = None
            return x
        keep = 1 - self.rate
        self.mask = (self.rng.random(x.shape) < keep).astype(x.dtype) / np.asarray(keep, x.dtype)
        return x * self.mask

    def backward(self, grad_output):
        return grad_output if self.mask is None else grad_output * self.mask

    def __repr__(self):
        return f"Dropout({self.rate})"


class Flatten(Layer):
    r"""Reshape each example to a vector, :math:`(n, d_1, \dots, d_m) \mapsto (n, d_1 \cdots d_m)`:
    ``(n, 28, 28)`` becomes ``(n, 784)``. The backward pass reshapes the gradient back."""

    def compute_output_shape(self, input_shape):
        return (input_shape[0], int(np.prod(input_shape[1:], dtype=np.int64)))

    def forward(self, x, training=False):
        self._shape = x.shape
        return x.reshape(len(x), -1)

    def backward(self, grad_output):
        return grad_output.reshape(self._shape)


class InputLayer(Layer):
    """What Keras's ``Input(shape=...)`` puts first in a ``Sequential``: the shape of one
    example. It holds no parameters and computes nothing; the model takes its shape and
    builds at once."""

    def __init__(self, shape=None, batch_size=None, dtype=None, name=None, batch_shape=None):
        super().__init__(name or "input_layer")
        if shape is None and batch_shape is None:
            raise ConfigError("Input needs the shape of one example, e.g. Input(shape=(4,)).")
        if dtype is not None and np.dtype(dtype) not in (np.float32, np.float64):
            raise ConfigError(f"minnet computes in float32 or float64; Input got dtype={dtype!r}.")
        self.batch_input_shape = batch_input_shape(
            input_shape=shape, batch_input_shape=batch_shape)
        self.shape = self.batch_input_shape[1:]
        self.batch_size = batch_size
        self.input_dtype = None if dtype is None else np.dtype(dtype)

    def forward(self, x, training=False):
        return x

    def backward(self, grad_output):
        return grad_output

    def __repr__(self):
        return f"Input(shape={self.shape})"


@checked(where="Input()")
def Input(shape=None, batch_size=None, dtype=None, name=None, batch_shape=None):  # noqa: N802 (Keras's name)
    """Keras 3's recommended first element of a ``Sequential``: ``Input(shape=(4,))``
    gives the shape of one example (the batch size stays open), so the model is built at
    once. A ``dtype`` (``"float32"`` or ``"float64"``) becomes the model's. ``batch_size``
    is accepted and not used (minnet's batches are ``fit``'s)."""
    return InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, name=name,
                      batch_shape=batch_shape)


#: Keras layers people reach for that minnet does not have.
_HAS = ("Dense", "Activation", "Dropout", "Flatten", "Input", "InputLayer")


def __getattr__(name):
    if name.startswith("_"):
        raise AttributeError(f"module 'minnet.layers' has no attribute {name!r}")
    raise NotInMinnetError(
        f"minnet has no layer {name!r}. It has {', '.join(_HAS)} (fully connected networks "
        "only); keep a model that needs this layer in Keras."
    )
