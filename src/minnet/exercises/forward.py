"""Checkers for chapter 4 (forward propagation).

Each ``check_*`` runs the student's function on a fixed set of inputs (the same every
time) and compares it with a reference computed by minnet. See
:mod:`minnet.exercises.core` for how a verdict is made; a verdict never prints the answer.

- :func:`check_dense_forward`: ``dense_forward(X, W, b, f) -> f(X W + b)`` for a batch.
- :func:`check_param_count`: ``param_count(sizes)``, the weights and biases of a dense
  network with ``sizes = [n_0, n_1, ..., n_L]`` units per layer.
- :func:`check_multiply_adds`: ``multiply_adds(sizes, n)``, the multiply-adds of one
  forward pass of a batch of ``n`` examples.
- :func:`check_network_forward`: ``network_forward(X, weights, activations)`` through
  every layer of ``weights = [W1, b1, W2, b2, ...]``.
"""

from __future__ import annotations

import numpy as np

from minnet import activations as act

from .answers import check_answers
from .core import Case, check_function
from .variants import pick, remembered, student_rng

__all__ = [
    "SHAPES_BOOK",
    "check_dense_forward",
    "check_multiply_adds",
    "check_network_forward",
    "check_param_count",
    "check_shapes",
    "shapes_answer",
    "shapes_mistakes",
    "shapes_problem",
    "shapes_statement",
]

_SEED = 404
_F32 = {"rtol": 1e-5, "atol": 1e-6}

_SHAPE_HINT = ("For a batch X of shape (n, n_in) and a kernel W of shape (n_in, n_out), "
               "X @ W has shape (n, n_out): one row per example, one column per unit. "
               "W @ X, X @ W.T or a sum over the wrong axis gives another shape.")
_BATCH_OF_ONE = ("A batch of one example is still a 2-D array of shape (1, n_in), and the "
                 "result must keep its batch axis: shape (1, n_out). Avoid np.squeeze, "
                 "ravel() and loops that build a 1-D result.")


def _reference_dense(X, W, b, f):
    return f(X @ W + b)


def _relu(z):
    return np.maximum(z, 0)


def check_dense_forward(fn, verbose=True):
    """Check ``fn(X, W, b, f)``: a dense layer's output ``f(X W + b)`` for a batch ``X``.

    ``X`` has shape ``(n, n_in)``, ``W`` shape ``(n_in, n_out)``, ``b`` shape ``(n_out,)``
    and ``f`` is an element-wise activation function (``np.tanh``, a ReLU, ...). Tried on:
    a batch of several examples, a batch of one example, a layer with one unit, a layer
    whose ``n_in`` equals the batch size (a transposed product would still run there),
    a ReLU layer, and float32 arrays (the result must stay float32).
    """
    rng = np.random.default_rng(_SEED)

    def arrays(n, n_in, n_out, dtype=np.float64):
        return (rng.normal(size=(n, n_in)).astype(dtype),
                rng.normal(size=(n_in, n_out)).astype(dtype),
                rng.normal(size=n_out).astype(dtype))

    value_hint = ("Two steps, in this order: z = X @ W + b, where unit k's bias b[k] is "
                  "added to column k of X @ W for every example (X @ W + b broadcasts b over "
                  "the rows); then a = f(z), the activation applied to the whole of z, bias "
                  "included. Did you leave out b or f, or apply f before adding b?")
    cases = [
        Case("a batch of 5 examples, 3 features, 4 tanh units", (*arrays(5, 3, 4), np.tanh)),
        Case("a batch of one example (shape (1, 3))", (*arrays(1, 3, 4), np.tanh),
             hint={"shape": _BATCH_OF_ONE, "exception": _BATCH_OF_ONE}),
        Case("a layer with a single unit", (*arrays(6, 2, 1), np.tanh)),
        Case("n_in equal to the batch size (4 examples, 4 features, 2 units)",
             (*arrays(4, 4, 2), np.tanh),
             hint={"value": "The shapes happen to fit here even with the product the wrong "
                            "way round. Write z_k = sum_j x_j w_jk + b_k for one example: "
                            "which index of W runs over the inputs?"}),
        Case("a ReLU layer", (*arrays(7, 3, 5), _relu)),
        Case("float32 arrays (dtype kept)", (*arrays(3, 4, 2, np.float32), np.tanh),
             check_dtype=True, **_F32),
    ]
    hints = {"shape": _SHAPE_HINT, "value": value_hint,
             "exception": "Check the shapes: X is (n, n_in), W is (n_in, n_out), b is "
                          "(n_out,). Which product of X and W is defined?"}
    return check_function(fn, _reference_dense, cases, hints=hints, name="dense_forward",
                          verbose=verbose)


def _reference_param_count(sizes):
    sizes = list(sizes)
    return int(sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:])))


def check_param_count(fn, verbose=True):
    """Check ``fn(sizes)``: the number of weights and biases of a dense network.

    ``sizes = [n_0, n_1, ..., n_L]`` lists the inputs and the units of each layer; every
    layer has a kernel and a bias. Tried on: 2-3-1, the MNIST network 784-128-10, a
    single layer 1-1, a network of inputs only (no layers: 0 parameters) and a deep
    narrow network.
    """
    bias_hint = ("Layer l has a kernel of shape (n_{l-1}, n_l) and a bias of shape (n_l,). "
                 "Did you count the biases, and the biases of every layer?")
    cases = [
        Case("sizes = [2, 3, 1]", ([2, 3, 1],)),
        Case("sizes = [784, 128, 10] (the MNIST network)", ([784, 128, 10],)),
        Case("sizes = [1, 1] (one neuron, one input)", ([1, 1],)),
        Case("sizes = [5] (inputs only, no layer)", ([5],),
             hint="With no layer there are no weights: pair each layer's size with the "
                  "size of the layer before it (zip(sizes[:-1], sizes[1:])) so that a "
                  "list of length 1 gives no pairs."),
        Case("sizes = [3, 4, 4, 4, 2] (deeper)", ([3, 4, 4, 4, 2],)),
    ]
    return check_function(fn, _reference_param_count, cases, hints={"value": bias_hint},
                          name="param_count", verbose=verbose)


def _reference_multiply_adds(sizes, n):
    sizes = list(sizes)
    return int(n * sum(a * b for a, b in zip(sizes[:-1], sizes[1:])))


def check_multiply_adds(fn, verbose=True):
    """Check ``fn(sizes, n)``: multiply-adds in one forward pass of a batch of ``n``.

    Layer ``l`` computes ``n * n_{l-1} * n_l`` multiply-adds for ``X W`` (each of the
    ``n * n_l`` entries of ``Z`` is a sum of ``n_{l-1}`` products); adding the bias and
    the activation are not counted. Tried on several architectures and batch sizes,
    including a batch of one.
    """
    cases = [
        Case("sizes = [2, 3, 1], n = 1", ([2, 3, 1], 1)),
        Case("sizes = [2, 3, 1], n = 10", ([2, 3, 1], 10),
             hint="Every example in the batch needs its own products: the count grows "
                  "in proportion to n."),
        Case("sizes = [784, 128, 10], n = 32", ([784, 128, 10], 32)),
        Case("sizes = [5], n = 4 (no layer)", ([5], 4)),
        Case("sizes = [3, 4, 4, 2], n = 7", ([3, 4, 4, 2], 7)),
    ]
    hints = {"value": "One entry z_k of one example is sum_j a_j w_jk: n_{l-1} "
                      "multiply-adds (a multiply-add is one multiplication and one addition, "
                      "counted once). How many such entries does Z^l have for a batch of n?"}
    return check_function(fn, _reference_multiply_adds, cases, hints=hints,
                          name="multiply_adds", verbose=verbose)


def _reference_network_forward(X, weights, activations):
    a = X
    for (W, b), f in zip(zip(weights[0::2], weights[1::2]), activations):
        a = act.get(f)(a @ W + b)
    return a


def check_network_forward(fn, verbose=True):
    """Check ``fn(X, weights, activations)``: the output of a whole dense network.

    ``weights = [W1, b1, W2, b2, ...]`` (as ``get_weights()`` returns them) and
    ``activations`` lists one name per layer (``"tanh"``, ``"relu"``, ``"sigmoid"``,
    ``"linear"``, ``"softmax"``; look them up with ``minnet.activations.get``). Tried on:
    a 2-3-1 network, a batch of one, a three-layer network with a softmax output, a
    network whose hidden layers are as wide as its input (feeding ``X`` to every layer
    would still run there), a network of a single layer, and float32 arrays (dtype kept).
    """
    rng = np.random.default_rng(_SEED + 1)

    def net(n, sizes, dtype=np.float64):
        X = rng.normal(size=(n, sizes[0])).astype(dtype)
        ws = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            ws += [rng.normal(size=(a, b)).astype(dtype), rng.normal(size=b).astype(dtype)]
        return X, ws

    order = ("Weights come in pairs: W1, b1, W2, b2, ... Layer l uses weights[2*(l-1)] "
             "and weights[2*(l-1) + 1], and the activation activations[l-1]; the output "
             "of one layer is the input of the next.")
    chain = ("Layer l multiplies the activations of layer l-1, not X: only the first layer "
             "reads X, of shape (n, n_0), and layer l's kernel has shape (n_{l-1}, n_l). "
             + order)
    softmax = {"value": "Softmax acts on each example on its own: it normalises each row "
                        "(the units of one example, axis=1), never a column (the batch). "
                        "minnet.activations.get('softmax') does this for you. " + order}
    cases = [
        Case("a 2-3-1 network (tanh, sigmoid), batch of 5", (*net(5, [2, 3, 1]), ["tanh", "sigmoid"])),
        Case("a batch of one example", (*net(1, [2, 3, 1]), ["tanh", "sigmoid"]),
             hint={"shape": _BATCH_OF_ONE}),
        Case("a 4-5-3-3 network (relu, relu, softmax)",
             (*net(6, [4, 5, 3, 3]), ["relu", "relu", "softmax"]), hint=softmax),
        Case("a 3-3-3-2 network (every hidden layer as wide as the input)",
             (*net(4, [3, 3, 3, 2]), ["tanh", "tanh", "linear"])),
        Case("a single linear layer", (*net(3, [3, 2]), ["linear"])),
        Case("float32 arrays (dtype kept)", (*net(4, [3, 4, 2], np.float32), ["tanh", "linear"]),
             check_dtype=True, **_F32),
    ]
    hints = {"value": order, "shape": _SHAPE_HINT + " " + order, "exception": chain}
    return check_function(fn, _reference_network_forward, cases, hints=hints,
                          name="network_forward", verbose=verbose)


# ------------------------------------------------------ shapes of a network (variant)

#: The network of the exercise "Shapes of a 3-5-2 network" in the book.
SHAPES_BOOK = {"n_in": 3, "hidden": 5, "out": 2, "batch": 7}


def shapes_problem(student=None):
    """The numbers of "Shapes of a 3-5-2 network": the book's for ``None``, else the
    student's inputs (2-9), hidden ReLU units (3-12), softmax outputs (2-6) and batch (5-40).

    The four sizes differ, as the book's do, and so do the two layers' parameter counts:
    with two equal sizes a transposed shape (``W^1`` of a 4-4-2 network) or two swapped
    answers would be right by accident."""
    if student is None:
        return dict(SHAPES_BOOK)
    rng = student_rng(student, "ex-04-shapes")
    while True:
        n_in, hidden = int(pick(rng, 2, 9, 1)), int(pick(rng, 3, 12, 1))
        out, batch = int(pick(rng, 2, 6, 1)), int(pick(rng, 5, 40, 1))
        if (len({n_in, hidden, out, batch}) == 4
                and (n_in + 1) * hidden != (hidden + 1) * out):
            return {"n_in": n_in, "hidden": hidden, "out": out, "batch": batch}


@remembered
def shapes_answer(problem):
    """The shapes, parameter counts and multiply-adds, read off a minnet network run on a
    batch of the problem's size (the instructor's key)."""
    from minnet.layers import Dense
    from minnet.model import Sequential

    n_in, n = problem["n_in"], problem["batch"]
    net = Sequential([Dense(problem["hidden"], "relu", input_dim=n_in),
                      Dense(problem["out"], "softmax")], seed=0)
    X = np.zeros((n, n_in))
    Y = net.forward(X)  # the whole batch at once
    first, second = net.layers
    return {"X": X.shape, "W1": first.W.shape, "b1": first.b.shape, "Z1": first.z.shape,
            "A1": first.a.shape, "W2": second.W.shape, "b2": second.b.shape,
            "Z2": second.z.shape, "Y_hat": Y.shape,
            "params_1": first.count_params(), "params_2": second.count_params(),
            "multiply_adds": _reference_multiply_adds(
                [n_in, problem["hidden"], problem["out"]], n)}


def shapes_statement(problem):
    """The student's numbers, as a sentence for the student edition."""
    return (f"the network has {problem['n_in']} inputs, a hidden layer of "
            f"{problem['hidden']} ReLU units and an output layer of {problem['out']} softmax "
            f"units, and you feed it a batch of {problem['batch']} examples")


def shapes_mistakes(problem):
    """Typical wrong answers for ``problem``: ``{key: [(value, hint), ...]}``."""
    n_in, h, o, n = problem["n_in"], problem["hidden"], problem["out"], problem["batch"]
    kernel = ("Keras and minnet store a kernel as (inputs, units): Z = X W, with the "
              "batch first.")
    batch_first = "Arrays of a batch have one row per example: the batch size comes first."
    bias = "A layer has one bias per unit, shared by every example: shape (units,)."
    count = "Count the biases too: a layer has inputs x units weights plus units biases."
    return {
        "X": [((n_in, n), batch_first)],
        "W1": [((h, n_in), kernel)], "W2": [((o, h), kernel)],
        "b1": [((1, h), bias), ((n, h), bias)], "b2": [((1, o), bias), ((n, o), bias)],
        "Z1": [((h, n), batch_first)], "A1": [((h, n), batch_first)],
        "Z2": [((o, n), batch_first)], "Y_hat": [((o, n), batch_first)],
        "params_1": [(n_in * h, count)], "params_2": [(h * o, count)],
        "multiply_adds": [
            (n_in * h + h * o, "That is one example's count; every example of the batch "
                               "needs its own products."),
            (n * (n_in * h + h * o) + n * (h + o), "Count only the matrix products X W: "
                                                  "adding the bias is not a multiply-add."),
        ],
    }


def check_shapes(answers, student=None, verbose=True):
    """Check the answers of "Shapes of a 3-5-2 network" (or of ``student``'s variant).

    ``answers`` maps ``"X"``, ``"W1"``, ``"b1"``, ``"Z1"``, ``"A1"``, ``"W2"``, ``"b2"``,
    ``"Z2"``, ``"Y_hat"`` to shapes (tuples such as ``(7, 3)``) and ``"params_1"``,
    ``"params_2"``, ``"multiply_adds"`` to whole numbers. The right answers are never
    printed.
    """
    problem = shapes_problem(student)
    variant = student is not None
    return check_answers(
        answers, shapes_answer(problem), shapes_mistakes(problem), name="shapes",
        hint="Write Z^1 = X W^1 + b^1 with the shapes under each factor: the inner sizes "
             "of a matrix product agree, and the result takes the outer ones.",
        rtol=0, atol=0, book=shapes_answer(shapes_problem()) if variant else None,
        numbers=f"{shapes_statement(problem)} (student {student!r})" if variant else None,
        verbose=verbose)
