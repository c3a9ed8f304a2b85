"""Checkers for chapter 5 (backpropagation).

* :func:`check_swish_derivative`, :func:`check_softplus_derivative`: a derivative you
  worked out by hand, against central differences of the function itself;
* :func:`check_bp2`: equation BP2 for a batch, ``delta^l = (delta^(l+1) W^(l+1)^T) * f'(z^l)``;
* :func:`check_layer_backward`: the backward pass of a layer you wrote (any subclass of
  :class:`minnet.layers.Layer`), against central differences in float64.

Every checker prints ``PASS`` or ``FAIL`` with the input that broke it and a hint, never
the answer, and returns a result that is true when the check passed. A function that still
raises ``NotImplementedError`` (the exercise's stub) is reported as not attempted yet.
"""

from __future__ import annotations

import copy

import numpy as np

from ..activations import sigmoid
from ..gradient_check import numerical_gradient, relative_error
from .answers import check_answers
from .core import Case, CheckResult, check_function, check_gradient, compare, python_loops
from .variants import pick, remembered, student_rng

__all__ = [
    "BACKWARD_SHAPES_BOOK",
    "backward_shapes_answer",
    "backward_shapes_mistakes",
    "backward_shapes_problem",
    "backward_shapes_statement",
    "check_backward_shapes",
    "check_bp2",
    "check_layer_backward",
    "check_softplus_derivative",
    "check_swish_derivative",
    "softplus",
    "swish",
]

_SEED = 5


def swish(z):
    """``swish(z) = z * sigmoid(z)`` (Ramachandran et al., 2017; Keras's ``"silu"``)."""
    z = np.asarray(z, dtype=float)
    return z * sigmoid(z)


def softplus(z):
    """``softplus(z) = log(1 + exp(z))``, computed without overflow."""
    z = np.asarray(z, dtype=float)
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


_large_hint = {
    "nonfinite": "For large |z| an exponential overflows. Write the derivative through a "
                 "sigmoid computed stably (exp only of -|z|).",
    "value": "Look at the limits: for very negative z the derivative tends to 0, for very "
             "positive z it tends to 1.",
}


def _derivative_cases(rng):
    return [
        Case("a single number", (0.7,)),
        Case("zero", (0.0,)),
        Case("a 1-D array", (np.linspace(-4.0, 4.0, 9),)),
        Case("a 2-D batch", (rng.normal(0.0, 2.0, size=(3, 4)),)),
        Case("a moderately negative z", (-12.0,)),
        Case("large negative z", (np.array([-800.0, -40.0]),), hint=_large_hint),
        Case("large positive z", (np.array([12.0, 40.0, 800.0]),), hint=_large_hint),
    ]


def check_swish_derivative(fn, verbose=True):
    """Check ``fn(z)``, the derivative of ``swish(z) = z * sigmoid(z)``, element-wise.

    Compared with central differences of :func:`swish` on one number, zero, a 1-D array,
    a 2-D batch and large negative and large positive ``z``.
    """
    rng = np.random.default_rng(_SEED)
    hints = {"value": "swish is a product of z and sigmoid(z): use the product rule, and "
                      "sigmoid'(z) = sigmoid(z) (1 - sigmoid(z)). At z = 0 the derivative "
                      "is 1/2."}
    result = check_gradient(fn, swish, _derivative_cases(rng), hints=hints,
                            name="swish derivative", verbose=False)
    return result.finish(verbose)


def check_softplus_derivative(fn, verbose=True):
    """Check ``fn(z)``, the derivative of ``softplus(z) = log(1 + exp(z))``, element-wise."""
    rng = np.random.default_rng(_SEED + 1)
    hints = {"value": "Differentiate log(u) with u = 1 + exp(z): the chain rule gives "
                      "u'/u. Which function you met in chapter 2 is that?"}
    result = check_gradient(fn, softplus, _derivative_cases(rng), hints=hints,
                            name="softplus derivative", verbose=False)
    return result.finish(verbose)


# ---------------------------------------------------------------------------- BP2


def _bp2_reference(delta_next, W_next, z, f_prime):
    return (delta_next @ W_next.T) * f_prime(z)


def _tanh_prime(z):
    return 1 - np.tanh(z) ** 2


def _sigmoid_prime(z):
    return sigmoid.derivative(z)


def _bp2_diagnosis(fn):
    """Run ``fn`` on a square case and name the classic mistake it makes, if any."""
    rng = np.random.default_rng(_SEED + 2)
    delta_next = rng.normal(size=(3, 3))  # n = n_l = n_(l+1): every mistake keeps the shape
    W_next = rng.normal(size=(3, 3))
    z = rng.normal(size=(3, 3))
    try:
        got = np.asarray(fn(delta_next.copy(), W_next.copy(), z.copy(), _tanh_prime),
                         dtype=float)
    except Exception:  # noqa: BLE001 - reported by the check itself
        return None
    fp = _tanh_prime(z)
    wrong = {
        "missing": (delta_next @ W_next.T,
                    "You return delta^(l+1) W^(l+1)^T without the activation: the error "
                    "reaches z^l through a^l = f(z^l), so multiply element-wise by f'(z^l)."),
        "transpose": ((delta_next @ W_next) * fp,
                      "The weight W^(l+1)_jk connects unit j of layer l to unit k of layer "
                      "l+1. Sending the error back along those connections sums over k: "
                      "which of W and W^T has k as its first index?"),
        "matmul": ((delta_next @ W_next.T) @ fp.T if fp.shape[0] == fp.shape[1] else None,
                   "f'(z^l) multiplies element-wise (the Hadamard product, `*` in numpy), "
                   "not as a matrix product (`@`)."),
        "mean": ((delta_next @ W_next.T) * fp / len(z),
                 "Do not divide by the batch size here: the 1/n of the mean loss is already "
                 "inside delta^L, and BP2 passes it on unchanged."),
        "f": ((delta_next @ W_next.T) * np.tanh(z),
              "Use the derivative f'(z^l) you were given, not the activation f(z^l)."),
    }
    for candidate, hint in wrong.values():
        if candidate is not None and got.shape == candidate.shape and np.allclose(got, candidate):
            return hint
    return None


def check_bp2(fn, verbose=True):
    """Check ``fn(delta_next, W_next, z, f_prime)``, equation BP2 for a batch.

    ``delta_next`` is ``delta^(l+1)`` of shape ``(n, n_(l+1))``, ``W_next`` is
    ``W^(l+1)`` of shape ``(n_l, n_(l+1))``, ``z`` is ``z^l`` of shape ``(n, n_l)`` and
    ``f_prime`` computes ``f'`` element-wise. ``fn`` must return ``delta^l``, shaped like
    ``z``, without Python loops (the exercise asks for matrix operations). Tried on: one
    example, a batch with a non-square ``W``, a square ``W`` (where a missing transpose
    does not show in the shape), and a sigmoid layer.
    """
    rng = np.random.default_rng(_SEED + 3)
    shape_hint = ("delta^l has the shape of z^l, (n, n_l). Write the shapes under each factor: "
                  "delta^(l+1) is (n, n_(l+1)) and W^(l+1) is (n_l, n_(l+1)); which product "
                  "of the two gives (n, n_l)?")
    cases = [
        Case("one example (n = 1)",
             (rng.normal(size=(1, 2)), rng.normal(size=(3, 2)), rng.normal(size=(1, 3)),
              _tanh_prime)),
        Case("a batch of 5 with a 4x3 W",
             (rng.normal(size=(5, 3)), rng.normal(size=(4, 3)), rng.normal(size=(5, 4)),
              _tanh_prime)),
        Case("a batch of 4 with a square 3x3 W",
             (rng.normal(size=(4, 3)), rng.normal(size=(3, 3)), rng.normal(size=(4, 3)),
              _tanh_prime)),
        Case("a sigmoid layer",
             (rng.normal(size=(6, 2)), rng.normal(size=(5, 2)), rng.normal(size=(6, 5)),
              _sigmoid_prime)),
    ]
    diagnosis = _bp2_diagnosis(fn) if callable(fn) else None
    hints = {"shape": diagnosis or shape_hint}
    hints["value"] = diagnosis or ("Write BP2 for one entry: delta^l_ij = sum over k of "
                                   "delta^(l+1)_ik W^(l+1)_jk, times f'(z^l_ij). Then "
                                   "turn the sum into a matrix product.")
    if diagnosis:  # a recognised mistake that raises on a non-square W (a missing .T)
        hints["exception"] = diagnosis
    result = check_function(fn, _bp2_reference, cases, hints=hints, name="BP2",
                            rtol=1e-8, atol=1e-10, verbose=False)
    loops = python_loops(fn) if result.passed else []
    if loops:
        detail = ("the values are right, but the function uses a Python loop: "
                  + "; ".join(f"`{line}`" for line in dict.fromkeys(loop.line for loop in loops)))
        hint = ("The exercise asks for no loops. The sum over k in delta^(l+1)_ik W^(l+1)_jk "
                "is one entry of a matrix product, and f'(z^l) multiplies entry by entry: "
                "BP2 for the whole batch is one `@` and one `*`.")
        result = CheckResult.failing("BP2", detail + ".", hint, kind="loop", checked=result.checked)
    return result.finish(verbose)


# ------------------------------------------------------------------ layer backward


def _fail(name, case, kind, detail, hint, checked, verbose):
    return CheckResult.failing(name, detail, hint, case=case, kind=kind,
                               checked=checked).finish(verbose)


def check_layer_backward(layer, input_dim=4, batch_size=5, eps=1e-6, tol=1e-7,
                         verbose=True):
    """Gradient-check the ``backward`` of a layer you wrote.

    ``layer`` is a subclass of :class:`minnet.layers.Layer` (or an instance of one). It must
    implement ``build(input_shape, rng, dtype)`` creating its parameters, ``forward(x)``,
    ``backward(grad_output)`` returning ``dC/dx`` and storing the parameter gradients, and
    the properties ``params`` and ``grads`` (same order, same shapes).

    The checker builds the layer in float64 for inputs of ``input_dim`` features, sets
    every parameter to random values, takes a random batch ``x`` and a random upstream
    gradient ``G``, and uses the loss ``C = sum(forward(x) * G)``, whose gradient with
    respect to the output is exactly ``G``. It then compares ``backward(G)`` with central
    differences of ``C`` with respect to ``x`` and to every parameter; the check passes
    when each relative error ``||g - n|| / (||g|| + ||n||)`` is below ``tol``.
    """
    name = "layer backward"
    checked = []
    rng = np.random.default_rng(_SEED + 4)
    try:
        instance = layer() if isinstance(layer, type) else copy.deepcopy(layer)
        name = f"{type(instance).__name__}.backward"
        instance.build((None, input_dim), rng, "float64")
        params = list(instance.params)
        for p in params:
            p[...] = rng.normal(size=p.shape)
    except Exception as exc:  # noqa: BLE001
        return _fail(name, "building the layer", "exception",
                     f"creating or building the layer raised {type(exc).__name__}: {exc}",
                     "Pass the class (or an instance) of a Layer subclass whose build(input_shape, "
                     "rng, dtype) creates the parameter arrays listed by `params`.",
                     checked, verbose)
    x = rng.normal(size=(batch_size, input_dim))
    try:
        out = np.asarray(instance.forward(x.copy()), dtype=float)
    except NotImplementedError:
        return CheckResult.not_attempted(name, "forward").finish(verbose)
    except Exception as exc:  # noqa: BLE001
        return _fail(name, "the forward pass", "exception",
                     f"forward(x) raised {type(exc).__name__}: {exc}",
                     "Run forward on a batch of shape (n, features) yourself first.",
                     checked, verbose)
    G = rng.normal(size=out.shape)

    def loss():
        return float(np.sum(np.asarray(instance.forward(x), dtype=float) * G))

    def numeric(array):
        return numerical_gradient(loss, array, eps)

    instance.forward(x)
    try:
        dx = instance.backward(G.copy())
    except NotImplementedError:
        return CheckResult.not_attempted(name, "backward").finish(verbose)
    except Exception as exc:  # noqa: BLE001
        return _fail(name, "the backward pass", "exception",
                     f"backward(G) raised {type(exc).__name__}: {exc}",
                     "backward receives dC/d(output), shaped like the output; keep what it "
                     "needs from forward (the input, for instance) in attributes.",
                     checked, verbose)
    grads = list(instance.grads)
    num_dx = numeric(x)
    errors = {}
    problem = compare(dx, num_dx, rtol=0.0, atol=1e300)
    if problem is not None:
        hint = ("backward must return dC/dx, the gradient the layer below receives, shaped "
                "like x." if problem[0] in ("none", "shape", "type") else
                "Return dC/dx as a finite array.")
        return _fail(name, "dC/dx (the returned gradient)", problem[0], problem[1], hint,
                     checked, verbose)
    errors["dC/dx"] = relative_error(np.asarray(dx, dtype=float), num_dx)
    if errors["dC/dx"] > tol:
        return _fail(name, "dC/dx (the returned gradient)", "value",
                     f"relative error {errors['dC/dx']:.2e} against central differences "
                     f"(should be below {tol:g})",
                     "Apply the chain rule entry by entry: dC/dx_ij = sum over outputs of "
                     "dC/dout * dout/dx_ij. For an element-wise layer only one output "
                     "depends on x_ij.", checked, verbose)
    checked.append("dC/dx")
    if len(grads) != len(params):
        return _fail(name, "the parameter gradients", "shape",
                     f"`params` lists {len(params)} arrays but `grads` lists {len(grads)}",
                     "List one gradient per parameter, in the same order.", checked, verbose)
    for i, (p, g) in enumerate(zip(params, grads)):
        label = f"parameter {i} (shape {p.shape})"
        if g is None:
            return _fail(name, label, "none", "its gradient is None",
                         "backward must store the gradient of every parameter in the "
                         "attribute `grads` returns.", checked, verbose)
        g = np.asarray(g, dtype=float)
        if g.shape != p.shape:
            hint = ("A parameter is shared by every example of the batch, so its gradient is "
                    "the sum of the per-example gradients: sum over axis 0."
                    if g.shape == (batch_size, *p.shape) else
                    "A parameter's gradient has the parameter's shape.")
            return _fail(name, label, "shape", f"its gradient has shape {g.shape}, expected "
                         f"{p.shape}", hint, checked, verbose)
        instance.forward(x)
        num = numeric(p)
        error = relative_error(g, num)
        errors[label] = error
        if error > tol:
            if not g.any() and num.any():
                hint = ("The gradient that `grads` lists for this parameter is all zeros, "
                        "as it was before backward ran: store the result in the attribute "
                        "that `grads` returns (check its name), or update that array.")
            elif relative_error(g * batch_size, num) <= tol:
                hint = ("Your gradient is the right one divided by the batch size: a mean "
                        "over the rows where the chain rule gives a sum over the rows. The "
                        "parameter serves every row, and the 1/n of a mean loss is already "
                        "inside the upstream gradient.")
            else:
                hint = ("Write the output entry out_ij in terms of this parameter, "
                        "differentiate, and remember that the same parameter serves every "
                        "row of the batch (sum over the rows).")
            return _fail(name, label, "value",
                         f"relative error {error:.2e} against central differences (should "
                         f"be below {tol:g})", hint, checked, verbose)
        checked.append(label)
    worst = max(errors.values())
    message = (f"PASS {name}: matches central differences (float64) for "
               f"{', '.join(checked)}.\n    Largest relative error: {worst:.2e}.")
    return CheckResult.passing(name, message, checked).finish(verbose)


# ----------------------------------------------- shapes of the backward pass (variant)

#: The network of the exercise "Shapes of the backward pass" in the book.
BACKWARD_SHAPES_BOOK = {"n_in": 784, "hidden": 30, "out": 10, "batch": 64}


def backward_shapes_problem(student=None):
    """The numbers of "Shapes of the backward pass": the book's for ``None``, else the
    student's hidden width (16-100) and batch size (8-512, a multiple of 8), with MNIST's
    784 inputs and 10 outputs. The width and the batch size differ: were they equal, a
    transposed ``Z^1`` would be right by accident."""
    if student is None:
        return dict(BACKWARD_SHAPES_BOOK)
    rng = student_rng(student, "ex-05-shapes")
    while True:
        hidden, batch = int(pick(rng, 16, 100, 1)), int(pick(rng, 8, 512, 8))
        if hidden != batch:
            return {"n_in": 784, "hidden": hidden, "out": 10, "batch": batch}


@remembered
def backward_shapes_answer(problem):
    """The shapes, read off a minnet network's forward and backward pass on a batch of the
    problem's size (the instructor's key)."""
    from minnet.layers import Dense
    from minnet.model import Sequential

    n, h = problem["batch"], problem["hidden"]
    net = Sequential([Dense(h, "sigmoid"), Dense(problem["out"], "softmax")], seed=0)
    net.build((None, problem["n_in"]))
    net.compile("sgd", "sparse_categorical_crossentropy")
    x = np.zeros((n, problem["n_in"]))
    grads = net.gradients(x, np.zeros(n, dtype=int))
    hidden, output = net.layers
    return {"Z1": hidden.z.shape, "Delta1": hidden.z.shape, "Delta2": output.z.shape,
            "dC_dW2": grads[2].shape, "dC_db1": grads[1].shape}


def backward_shapes_statement(problem):
    """The student's numbers, as a sentence for the student edition."""
    return (f"the hidden layer has {problem['hidden']} units and you backpropagate a batch "
            f"of {problem['batch']} images (still {problem['n_in']} pixels in, "
            f"{problem['out']} outputs)")


def backward_shapes_mistakes(problem):
    """Typical wrong answers for ``problem``: ``{key: [(value, hint), ...]}``."""
    n, h, o = problem["batch"], problem["hidden"], problem["out"]
    batch_first = ("Batch matrices have one row per example: Z^l, A^l and Delta^l are "
                   "(batch, units).")
    grad = ("A gradient has the shape of its parameter: BP4 sums over the examples of the "
            "batch, so the batch size is gone.")
    return {
        "Z1": [((h, n), batch_first)],
        "Delta1": [((h, n), batch_first), ((n, o), "Delta^1 belongs to layer 1: it is shaped "
                                                   "like Z^1.")],
        "Delta2": [((o, n), batch_first), ((n, h), "Delta^2 belongs to the output layer: it "
                                                   "is shaped like Z^2.")],
        "dC_dW2": [((o, h), "The kernel W^2 is (inputs, units), and so is its gradient "
                            "(A^1)^T Delta^2."), ((n, o), grad), ((n, h, o), grad)],
        "dC_db1": [((n, h), grad), ((1, h), "The bias is a vector (units,), and so is its "
                                            "gradient, the column sums of Delta^1.")],
    }


def check_backward_shapes(answers, student=None, verbose=True):
    """Check the shapes of "Shapes of the backward pass" (or of ``student``'s variant).

    ``answers`` maps ``"Z1"``, ``"Delta1"``, ``"Delta2"``, ``"dC_dW2"`` and ``"dC_db1"`` to
    shapes (tuples such as ``(64, 30)``). The right shapes are never printed.
    """
    problem = backward_shapes_problem(student)
    variant = student is not None
    return check_answers(
        answers, backward_shapes_answer(problem), backward_shapes_mistakes(problem),
        name="backward shapes",
        hint="Write each of BP1-BP4 with the shape under every factor: the inner sizes of "
             "a matrix product agree, and the result takes the outer ones.",
        rtol=0, atol=0,
        book=backward_shapes_answer(backward_shapes_problem()) if variant else None,
        numbers=f"{backward_shapes_statement(problem)} (student {student!r})" if variant else None,
        verbose=verbose)
