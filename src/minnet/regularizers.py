"""Weight penalties added to the loss, as Keras defines them.

- ``L1(l1)`` adds ``l1 * sum(|W|)``; its gradient is ``l1 * sign(W)``.
- ``L2(l2)`` adds ``l2 * sum(W**2)``; its gradient is ``2 * l2 * W``.
- ``L1L2(l1, l2)`` adds both.

Keras's ``L2`` has no factor ``1/2`` and no division by the number of examples, unlike
Nielsen's ``lambda / (2n) * sum(w**2)``: chapter 8 converts one into the other.
"""

from __future__ import annotations

import numpy as np

from .arguments import check_subclass_init
from .checks import lookup, non_negative_float

__all__ = ["Regularizer", "L1L2", "L1", "L2", "get"]


class Regularizer:
    r"""A weight penalty :math:`R(W)`: ``reg(W)`` is its value, added to the loss
    :math:`C`, and ``reg.gradient(W)`` its derivative :math:`\partial R / \partial W`, added to
    :math:`\partial C / \partial W`."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        check_subclass_init(cls)  # a misspelled keyword names the closest valid one

    def __call__(self, W) -> float:
        raise NotImplementedError

    def gradient(self, W):
        """The derivative of the penalty with respect to ``W``, an array shaped like ``W``,
        added to the kernel's gradient."""
        raise NotImplementedError


class L1L2(Regularizer):
    r"""Both penalties, with :math:`\lambda_1` = ``l1`` and :math:`\lambda_2` = ``l2``:

    .. math::

       R(W) &= \lambda_1 \sum_{j,k} |W_{jk}| + \lambda_2 \sum_{j,k} W_{jk}^2,

       \frac{\partial R}{\partial W} &= \lambda_1 \operatorname{sign}(W) + 2 \lambda_2 W ."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = non_negative_float(l1, "l1")
        self.l2 = non_negative_float(l2, "l2")

    def __call__(self, W) -> float:
        penalty = 0.0
        if self.l1:
            penalty += self.l1 * float(np.sum(np.abs(W)))
        if self.l2:
            penalty += self.l2 * float(np.sum(np.square(W)))
        return penalty

    def gradient(self, W):
        grad = np.zeros_like(W)
        if self.l1:
            grad += np.asarray(self.l1, dtype=W.dtype) * np.sign(W)
        if self.l2:
            grad += np.asarray(2 * self.l2, dtype=W.dtype) * W
        return grad

    def __repr__(self):
        return f"L1L2(l1={self.l1}, l2={self.l2})"


class L1(L1L2):
    r""":math:`R(W) = \lambda_1 \sum_{j,k} |W_{jk}|`, with gradient
    :math:`\lambda_1 \operatorname{sign}(W)`; :math:`\lambda_1` = ``l1``, Keras's default 0.01."""

    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def __repr__(self):
        return f"L1(l1={self.l1})"


class L2(L1L2):
    r""":math:`R(W) = \lambda_2 \sum_{j,k} W_{jk}^2`, with gradient :math:`2 \lambda_2 W`;
    :math:`\lambda_2` = ``l2``, Keras's default 0.01.

    No factor :math:`\frac12` and no division by :math:`n`: Nielsen's
    :math:`\frac{\lambda}{2n} \sum w^2` is ``L2(lambda / (2 * n))`` (chapter 8)."""

    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def __repr__(self):
        return f"L2(l2={self.l2})"


_BY_NAME = {"l1": L1, "l2": L2, "l1_l2": L1L2, "l1l2": L1L2}


def get(identifier):
    """A regularizer from ``"l1"``, ``"l2"``, ``"l1_l2"``, an object, or ``None``."""
    return None if identifier is None else lookup("regularizer", identifier, Regularizer, _BY_NAME)
