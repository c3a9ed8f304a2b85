"""Checkers for the book's coding exercises.

Write the function the exercise asks for, then hand it to the chapter's checker::

    from minnet.exercises.activations import check_sigmoid

    def my_sigmoid(z):
        ...

    check_sigmoid(my_sigmoid)       # prints PASS, or FAIL with the input that broke it and a hint

A checker returns a result that is true when the check passed, so ``assert
check_sigmoid(my_sigmoid)`` works too. The engine (:mod:`minnet.exercises.core`) is
re-exported here for writing new checkers; the chapter checkers live in submodules
(``minnet.exercises.activations``, ...), imported on first use.
"""

from __future__ import annotations

import importlib

from .core import (
    Case,
    CheckResult,
    check_function,
    check_gradient,
    check_value,
    compare,
    numerical_gradient,
)

__all__ = [
    "Case",
    "CheckResult",
    "check_function",
    "check_gradient",
    "check_value",
    "compare",
    "numerical_gradient",
]


def __getattr__(name):
    """Import chapter checker modules (``minnet.exercises.<chapter>``) on first access."""
    if name.startswith("_"):
        raise AttributeError(name)
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as err:
        if err.name == f"{__name__}.{name}":
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
        raise
