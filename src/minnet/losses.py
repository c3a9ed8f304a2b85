"""Loss functions, with their gradients, defined exactly as Keras 3 defines them.

A loss compares targets ``y`` with predictions ``p`` (or logits ``z`` when
``from_logits=True``) and returns one number: the per-example loss averaged over the batch
(Keras's ``"sum_over_batch_size"`` reduction). Per example:

- mean squared error: ``mean_j (y_j - p_j)**2`` (a mean over the outputs, not Nielsen's
  ``1/2 sum``: chapter 3 shows the conversion);
- binary cross-entropy: ``mean_j -(y_j log p_j + (1 - y_j) log(1 - p_j))``;
- categorical cross-entropy: ``-sum_j y_j log p_j`` for one-hot ``y``;
- sparse categorical cross-entropy: ``-log p_y`` for an integer class ``y``.

Probabilities are clipped to ``[1e-7, 1 - 1e-7]`` before the logarithm, as Keras does. From
logits the losses use the log-sum-exp form, which is exact and never overflows::

    log sum_k exp(z_k) = m + log sum_k exp(z_k - m),   m = max_k z_k

``gradient`` returns the derivative of the batch loss with respect to ``p`` (or to ``z``
with ``from_logits=True``), where it takes the clean form ``(softmax(z) - y) / n``.

A loss also owns the start of backpropagation. Given the last layer's ``z``, its output
``a = f(z)`` and the targets, :meth:`Loss.delta` returns the per-example losses and the
output delta ``Delta^L = dC/dz`` of the batch mean ``C``: the ``1/n`` of that mean lives
here and nowhere else. After a sigmoid or softmax, a cross-entropy works on the logits
``z`` (as Keras does): the value stays finite however saturated the output and
``Delta^L = (a - y) / n``. Otherwise ``Delta^L = dC/da * f'(z)``.
"""

from __future__ import annotations

import warnings

import numpy as np

from .activations import linear, sigmoid, softmax
from .arguments import check_subclass_init
from .checks import lookup
from .errors import LabelError, ShapeError

__all__ = [
    "EPSILON",
    "logsumexp",
    "Loss",
    "MeanSquaredError",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy",
    "mean_squared_error",
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "get",
]

EPSILON = 1e-7
r"""Keras's fuzz factor, :math:`\epsilon`; probabilities are clipped to ``[EPSILON, 1 - EPSILON]``."""


def logsumexp(z, axis=-1):
    r"""The log of a sum of exponentials over ``axis``, computed without overflow:

    .. math::

       \log \sum_k e^{z_k} = m + \log \sum_k e^{z_k - m}, \qquad m = \max_k z_k ."""
    m = np.max(z, axis=axis, keepdims=True)
    return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(z - m), axis=axis))


def _align(y_true, y_pred):
    """Give ``y_true`` the shape of ``y_pred`` where they differ only by a trailing 1."""
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true)
    if y_true.shape != y_pred.shape and y_true.size == y_pred.size:
        if y_true.ndim + 1 == y_pred.ndim and y_pred.shape[-1] == 1:
            y_true = y_true.reshape(y_pred.shape)
        elif y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
            y_true = y_true.reshape(y_pred.shape)
    if y_true.shape != y_pred.shape:
        raise ShapeError(
            f"Targets of shape {y_true.shape} do not match predictions of shape "
            f"{y_pred.shape}. Give one target per output unit; for integer class labels "
            "use sparse_categorical_crossentropy."
        )
    return y_true.astype(y_pred.dtype, copy=False), y_pred


def _check_probabilities(y, loss_name):
    if np.any(y < 0) or np.any(y > 1):
        raise LabelError(
            f"{loss_name} expects targets between 0 and 1, but got values from {y.min()} "
            f"to {y.max()}. Scale the targets, or use 'mse' for regression."
        )


class Loss:
    r"""Base class. ``loss(y_true, y_pred)`` is the batch mean of the per-example losses
    :math:`C_i` (:meth:`per_example`) of the :math:`n` examples of a batch:

    .. math::

       C = \frac{1}{n} \sum_{i=1}^{n} C_i .

    :meth:`delta` starts backpropagation: it returns the :math:`C_i` and the output error
    :math:`\Delta^L = \partial C / \partial Z^L`, which carries the :math:`\frac1n` of the mean."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        check_subclass_init(cls)  # a misspelled keyword names the closest valid one

    name = "loss"

    def __init__(self, from_logits=False):
        self.from_logits = from_logits

    def __call__(self, y_true, y_pred) -> float:
        return float(np.mean(self.per_example(y_true, y_pred)))

    def per_example(self, y_true, y_pred):
        """The loss of each example: shape ``(n,)``."""
        y_true, y_pred = self.prepare(y_true, y_pred)
        return self.values_and_gradient(y_true, y_pred)[0]

    def gradient(self, y_true, y_pred):
        """``dC/dy_pred`` of the batch loss ``C``, the mean of the per-example losses
        (``dC/dz`` when ``from_logits``); it carries the ``1/n`` of that mean."""
        y_true, y_pred = self.prepare(y_true, y_pred)
        return self.values_and_gradient(y_true, y_pred)[1]

    def prepare(self, y_true, y_pred):
        """Check the targets against the predictions and bring them to a common shape."""
        y_true, y_pred = _align(y_true, y_pred)
        return y_true, y_pred

    def values_and_gradient(self, y_true, y_pred, gradient=True):
        """Per-example losses and the gradient of their mean, on prepared arrays.

        With ``gradient=False`` the gradient is not computed and ``None`` is returned in
        its place (evaluation needs only the values).
        """
        raise NotImplementedError

    def with_logits(self) -> Loss:
        """The same loss computed from the logits of its sigmoid or softmax."""
        return type(self)(from_logits=True)

    #: Output activations whose logits this loss uses instead of their output.
    fuses = ()

    def uses_logits(self, activation) -> bool:
        """Whether, after ``activation``, this loss is computed from the logits ``z``: a
        cross-entropy after a sigmoid or softmax is, as in Keras."""
        return activation.name in self.fuses

    def check_output(self, activation):
        """Warn, as Keras does, when ``from_logits=True`` meets a sigmoid or softmax output
        (the logits before it are used, so the flag changes nothing)."""
        if self.from_logits and self.uses_logits(activation):
            warnings.warn(
                f"{self.name} was given from_logits=True, but the last layer applies "
                f"{activation.name}: as in Keras, the loss uses the logits before the "
                f"{activation.name}. Drop from_logits=True or the activation.",
                stacklevel=4,
            )

    def delta(self, y_true, z, a, activation=linear, sample_weight=None):
        """Per-example losses and ``Delta^L = dC/dz`` for a last layer ``a = activation(z)``.

        ``y_true`` is prepared (:meth:`prepare`). ``C`` is the batch mean of the
        per-example losses, so ``Delta^L`` carries the ``1/n``. With ``sample_weight``
        (one ``w_i`` per example) ``C = 1/n sum_i w_i C_i``: the losses returned are the
        weighted ``w_i C_i`` and row ``i`` of ``Delta^L`` is scaled by ``w_i``
        (:mod:`minnet.weighting`).
        """
        if self.uses_logits(activation):  # Delta^L = (a - y) / n, from the logits
            loss = self if self.from_logits else self.with_logits()
            per_example, delta = loss.values_and_gradient(y_true, z)
        else:
            per_example, grad_a = self.values_and_gradient(y_true, a)
            delta = activation.backward(z, a, grad_a)
        if sample_weight is None:
            return per_example, delta
        return (per_example * sample_weight,
                delta * sample_weight.reshape(-1, *[1] * (delta.ndim - 1)))

    def output_values(self, y_true, z, a, activation=linear, sample_weight=None):
        """The per-example losses of :meth:`delta`, without computing any gradient."""
        if self.uses_logits(activation):
            loss = self if self.from_logits else self.with_logits()
            values = loss.values_and_gradient(y_true, z, gradient=False)[0]
        else:
            values = self.values_and_gradient(y_true, a, gradient=False)[0]
        return values if sample_weight is None else values * sample_weight

    def __repr__(self):
        return f"{type(self).__name__}(from_logits={self.from_logits})"


class MeanSquaredError(Loss):
    r"""Mean squared error, Keras's ``"mse"``: a mean over the :math:`n_L` outputs, then over
    the batch. For targets :math:`Y` and predictions :math:`\hat Y` of shape :math:`(n, n_L)`,

    .. math::

       C_i &= \frac{1}{n_L} \sum_{j=1}^{n_L} \bigl(\hat Y_{ij} - Y_{ij}\bigr)^2,

       \frac{\partial C}{\partial \hat Y_{ij}} &= \frac{2}{n\, n_L} \bigl(\hat Y_{ij} - Y_{ij}\bigr).

    Nielsen's quadratic cost :math:`\tfrac12 \lVert y - a \rVert^2` is a half sum, not a mean:
    chapter 3 shows the conversion."""

    name = "mean_squared_error"

    def __init__(self):
        super().__init__(from_logits=False)

    def values_and_gradient(self, y_true, y_pred, gradient=True):
        diff = y_pred - y_true
        squared = diff * diff
        per_example = squared.sum(axis=-1) / diff.shape[-1] if diff.ndim > 1 else squared
        if not gradient:
            return per_example, None
        diff *= diff.dtype.type(2 / diff.size)  # diff is a new array: scale it in place
        return per_example, diff

    def with_logits(self):
        return self

    def __repr__(self):
        return "MeanSquaredError()"


class BinaryCrossentropy(Loss):
    r"""Binary cross-entropy, the negative log-likelihood of a Bernoulli output, averaged over
    the :math:`n_L` outputs. From probabilities :math:`\hat Y` (clipped to
    :math:`[\epsilon, 1 - \epsilon]`, :data:`EPSILON`):

    .. math::

       C_i &= -\frac{1}{n_L} \sum_{j=1}^{n_L} \Bigl( Y_{ij} \log \hat Y_{ij}
             + (1 - Y_{ij}) \log (1 - \hat Y_{ij}) \Bigr),

       \frac{\partial C}{\partial \hat Y_{ij}} &= \frac{1}{n\, n_L}
             \frac{\hat Y_{ij} - Y_{ij}}{\hat Y_{ij} (1 - \hat Y_{ij})}

    (0 where the clip is active). From logits :math:`Z^L` (``from_logits=True``, or after a
    sigmoid output), in the form that never overflows:

    .. math::

       C_i &= \frac{1}{n_L} \sum_{j=1}^{n_L} \Bigl( \max(Z^L_{ij}, 0) - Z^L_{ij} Y_{ij}
             + \log\bigl(1 + e^{-|Z^L_{ij}|}\bigr) \Bigr),

       \frac{\partial C}{\partial Z^L_{ij}} &= \frac{\sigma(Z^L_{ij}) - Y_{ij}}{n\, n_L} ."""

    name = "binary_crossentropy"
    fuses = ("sigmoid", "softmax")

    def prepare(self, y_true, y_pred):
        y_true, y_pred = _align(y_true, y_pred)
        _check_probabilities(y_true, self.name)
        return y_true, y_pred

    def values_and_gradient(self, y_true, y_pred, gradient=True):
        count = y_pred.size
        grad = None
        if self.from_logits:
            z = y_pred
            elementwise = np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z)))
            if gradient:
                grad = (sigmoid(z) - y_true) / count
        else:
            p = np.clip(y_pred, EPSILON, 1 - EPSILON)
            elementwise = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))
            if gradient:
                inside = (y_pred >= EPSILON) & (y_pred <= 1 - EPSILON)
                grad = inside * (p - y_true) / (p * (1 - p)) / count
        per_example = np.mean(elementwise, axis=-1) if y_pred.ndim > 1 else elementwise
        return per_example, None if grad is None else grad.astype(y_pred.dtype, copy=False)


class CategoricalCrossentropy(Loss):
    r"""Categorical cross-entropy for one-hot (or probability) target rows :math:`Y_i`.

    From probabilities, Keras first rescales each row to sum to 1, then clips to
    :math:`[\epsilon, 1 - \epsilon]`:

    .. math::

       C_i = -\sum_{j} Y_{ij} \log q_{ij}, \qquad q_{ij} = \frac{\hat Y_{ij}}{\sum_k \hat Y_{ik}} .

    From logits :math:`Z^L`, with the log-sum-exp of :func:`logsumexp`:

    .. math::

       C_i &= \Bigl(\sum_j Y_{ij}\Bigr) \log \sum_k e^{Z^L_{ik}} - \sum_j Y_{ij} Z^L_{ij},

       \frac{\partial C}{\partial Z^L} &= \frac{A^L - Y}{n} \quad\text{for one-hot } Y,

    where :math:`A^L = \operatorname{softmax}(Z^L)` row by row."""

    name = "categorical_crossentropy"
    fuses = ("sigmoid", "softmax")

    def prepare(self, y_true, y_pred):
        y_pred = np.asarray(y_pred)
        y_true = np.asarray(y_true)
        if y_pred.ndim >= 2 and y_pred.shape[-1] > 1 and (
            y_true.ndim < y_pred.ndim or (y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1)
        ):
            raise LabelError(
                f"categorical_crossentropy needs one-hot targets of shape {y_pred.shape}, but "
                f"got shape {y_true.shape}, which looks like integer class labels. Use "
                "loss='sparse_categorical_crossentropy', or one-hot encode the labels with "
                f"np.eye({y_pred.shape[-1]})[y]."
            )
        y_true, y_pred = _align(y_true, y_pred)
        _check_probabilities(y_true, self.name)
        return y_true, y_pred

    def values_and_gradient(self, y_true, y_pred, gradient=True):
        n = y_pred.size // y_pred.shape[-1]
        if self.from_logits:
            z = y_pred
            per_example = logsumexp(z) * y_true.sum(axis=-1) - np.sum(y_true * z, axis=-1)
            if not gradient:
                return per_example, None
            grad = (softmax(z) * y_true.sum(axis=-1, keepdims=True) - y_true) / n
            return per_example, grad
        total = y_pred.sum(axis=-1, keepdims=True)
        q = y_pred / total
        p = np.clip(q, EPSILON, 1 - EPSILON)
        per_example = -np.sum(y_true * np.log(p), axis=-1)
        if not gradient:
            return per_example, None
        inside = (q >= EPSILON) & (q <= 1 - EPSILON)
        g = -(inside * y_true) / p / n  # dL/dq
        grad = (g - np.sum(g * q, axis=-1, keepdims=True)) / total  # through q = p / sum(p)
        return per_example, grad.astype(y_pred.dtype, copy=False)


class SparseCategoricalCrossentropy(Loss):
    r"""Categorical cross-entropy for integer class labels :math:`y_i \in \{0, \dots, n_L - 1\}`.

    From logits :math:`Z^L`:

    .. math::

       C_i &= \log \sum_k e^{Z^L_{ik}} - Z^L_{i y_i},

       \frac{\partial C}{\partial Z^L_{ik}} &= \frac{A^L_{ik} - [k = y_i]}{n},

    with :math:`A^L = \operatorname{softmax}(Z^L)` and :math:`[k = y_i]` the one-hot row of
    label :math:`y_i`. From probabilities, Keras clips them to :math:`[\epsilon, 1 - \epsilon]`
    (giving :math:`p_{ik}`) and takes the softmax cross-entropy of :math:`\log p`:
    :math:`C_i = \log \sum_k p_{ik} - \log p_{i y_i}`, which rescales each row to sum to 1
    after the clip (the one-hot version rescales before it)."""

    name = "sparse_categorical_crossentropy"
    fuses = ("sigmoid", "softmax")

    def prepare(self, y_true, y_pred):
        y_pred = np.asarray(y_pred)
        y_true = np.asarray(y_true)
        k = y_pred.shape[-1]
        if y_true.shape == y_pred.shape and k > 1:
            raise LabelError(
                f"sparse_categorical_crossentropy needs integer class labels of shape "
                f"{y_pred.shape[:-1]}, but got shape {y_true.shape}, which looks one-hot. "
                "Use loss='categorical_crossentropy', or turn the labels back into "
                "integers with np.argmax(y, axis=-1)."
            )
        if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
            y_true = y_true[..., 0]
        if y_true.shape != y_pred.shape[:-1]:
            raise ShapeError(
                f"sparse_categorical_crossentropy needs one integer label per example: "
                f"shape {y_pred.shape[:-1]}, got {y_true.shape}."
            )
        if y_true.dtype.kind == "f" and np.any(y_true != np.round(y_true)):
            raise LabelError(
                "sparse_categorical_crossentropy needs whole-number class labels, got "
                f"{y_true[y_true != np.round(y_true)][:3].tolist()}."
            )
        if y_true.dtype.kind not in "biuf":
            raise LabelError(f"Class labels must be integers, got dtype {y_true.dtype}.")
        if y_true.size and (y_true.min() < 0 or y_true.max() >= k):
            raise LabelError(
                f"Class labels must lie in 0..{k - 1} for a {k}-unit output, but range from "
                f"{int(y_true.min())} to {int(y_true.max())}. Give the last layer "
                f"{int(y_true.max()) + 1} units, or re-map the labels."
            )
        return y_true.astype(np.intp, copy=False), y_pred

    def values_and_gradient(self, y_true, y_pred, gradient=True):
        k = y_pred.shape[-1]
        n = y_pred.size // k
        if self.from_logits:
            # row i of the (n, k) logits and its label y_i, whatever the leading axes
            rows, labels = np.arange(n), y_true.reshape(n)
            shifted = y_pred - np.max(y_pred, axis=-1, keepdims=True)  # z - max(z)
            exp = np.exp(shifted)
            total = np.sum(exp, axis=-1, keepdims=True)
            picked = shifted.reshape(n, k)[rows, labels].reshape(y_true.shape)  # z_y - max(z)
            per_example = np.log(total[..., 0]) - picked  # logsumexp(z) - z_y
            if not gradient:
                return per_example, None
            exp /= total  # softmax(z), from the exponentials already computed
            exp.reshape(n, k)[rows, labels] -= 1  # softmax(z) - onehot(y)
            exp /= n
            return per_example, exp  # (softmax(z) - onehot(y)) / n
        labels = y_true[..., None]
        onehot = np.eye(k, dtype=y_pred.dtype)[y_true]
        p = np.clip(y_pred, EPSILON, 1 - EPSILON)
        total = p.sum(axis=-1, keepdims=True)
        picked = np.take_along_axis(p, labels, axis=-1)[..., 0]
        per_example = np.log(total[..., 0]) - np.log(picked)
        if not gradient:
            return per_example, None
        # d/dp_j of log(sum p) - log p_y is 1/sum(p) - onehot_j/p_j (zero where clipped)
        inside = (y_pred >= EPSILON) & (y_pred <= 1 - EPSILON)
        grad = inside * (1 / total - onehot / p) / n
        return per_example, grad.astype(y_pred.dtype, copy=False)


def mean_squared_error(y_true, y_pred):
    r"""Per-example mean squared error :math:`C_i = \frac{1}{n_L} \sum_j (\hat Y_{ij} - Y_{ij})^2`
    (Keras's ``keras.losses.mean_squared_error``); see :class:`MeanSquaredError`."""
    return MeanSquaredError().per_example(y_true, y_pred)


def binary_crossentropy(y_true, y_pred, from_logits=False):
    r"""Per-example binary cross-entropy
    :math:`C_i = -\frac{1}{n_L} \sum_j \bigl(Y_{ij} \log \hat Y_{ij} + (1 - Y_{ij}) \log(1 - \hat Y_{ij})\bigr)`;
    see :class:`BinaryCrossentropy`."""
    return BinaryCrossentropy(from_logits).per_example(y_true, y_pred)


def categorical_crossentropy(y_true, y_pred, from_logits=False):
    r"""Per-example categorical cross-entropy :math:`C_i = -\sum_j Y_{ij} \log \hat Y_{ij}`;
    see :class:`CategoricalCrossentropy`."""
    return CategoricalCrossentropy(from_logits).per_example(y_true, y_pred)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False):
    r"""Per-example sparse categorical cross-entropy :math:`C_i = -\log \hat Y_{i y_i}` for integer
    labels :math:`y_i`; see :class:`SparseCategoricalCrossentropy`."""
    return SparseCategoricalCrossentropy(from_logits).per_example(y_true, y_pred)


_BY_NAME = {
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}


def get(identifier) -> Loss:
    """A loss object from a Keras name such as ``"mse"``, the object itself, or one of
    this module's functions (``loss=minnet.losses.mean_squared_error``, as Keras allows)."""
    if callable(identifier) and getattr(identifier, "__module__", None) == __name__ and \
            getattr(identifier, "__name__", None) in _BY_NAME:
        identifier = identifier.__name__
    return lookup("loss", identifier, Loss, _BY_NAME)


def __getattr__(name):
    from .errors import not_in_minnet

    raise not_in_minnet("losses", name, ["MeanSquaredError", "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy", *_BY_NAME])
