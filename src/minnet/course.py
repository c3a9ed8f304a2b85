"""The book as a course: each chapter's title, prerequisites, time, objectives and exercises.

This module is data, with a few small functions over it. The instructor guide
(``book/instructor-guide.ipynb``) draws its chapter map, its tables and its course plans
from it, so that the guide runs on its own (on Colab no chapter lies beside it).
The chapters are the source: ``tests/test_instructor_guide.py`` reads every chapter notebook
and checks that this module says what the chapter says. When a chapter changes its
objectives, prerequisites, time or exercises, copy the change here.

- :data:`CHAPTERS`: chapters 0 to 10, in the book's order. ``requires`` lists the pages a
  chapter's "Prerequisites" line names as needed; ``recommends`` those it names as helpful
  ("helps", "already used") but not needed.
- :data:`PAGES`: pages other than chapters that a chapter names as a prerequisite;
  :data:`PARTS`: the parts of the book, as in ``_toc.yml``.
- :data:`PLANS`: suggested courses of one, four and ten weeks; :func:`plan_problems` checks
  that a plan takes chapters after their prerequisites and stays within its hours.

The time of a session counts each chapter's reading time, plus the top of its stated
exercise time in proportion to the share of its exercises assigned (half the exercises of
a chapter that says "1 to 2 hours" count 60 minutes).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CHAPTERS", "PAGES", "PARTS", "PLANS", "Chapter", "Exercise", "Plan", "Session", "chapter",
    "chapter_minutes", "format_minutes", "format_time", "plan_problems", "prerequisite_edges",
    "session_minutes",
]


@dataclass(frozen=True)
class Exercise:
    """One ``{exercise}`` of a chapter: its label, its title, the checkers a student calls."""

    label: str
    title: str
    checkers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chapter:
    """A chapter as its first cell states it."""

    number: int  # 0 for the unnumbered first network, then 1 to 10
    doc: str  # the notebook's name in book/, without .ipynb
    title: str
    requires: tuple[str, ...]  # pages (docs) named as prerequisites
    recommends: tuple[str, ...]  # pages named as helpful, not needed
    reading_minutes: int  # to read and run the notebook
    exercise_minutes: tuple[int, int]  # (least, most) for all of its exercises
    objectives: tuple[str, ...]  # MyST text, as in the chapter
    exercises: tuple[Exercise, ...]
    data: tuple[str, ...] = ()  # the data sets it loads: "mnist", "fashion-mnist"


#: Pages that are not chapters but that a chapter names as a prerequisite, doc to title.
PAGES: dict[str, str] = {"notation": "Notation"}

#: The parts of the book (as in _toc.yml) and the chapters and pages in each.
PARTS: dict[str, tuple[str, ...]] = {
    "Getting started": ("notation", "00-first-network"),
    "Part I: One neuron, one layer": ("01-neuron", "02-activations", "03-losses"),
    "Part II: Networks and how they learn": ("04-forward", "05-backprop", "06-optimizers"),
    "Part III: Training in practice": (
        "07-training", "08-overfitting", "09-initialization", "10-when-training-goes-wrong",
    ),
}

#: Chapters 0 to 10, in the book's order, as their notebooks state them.
CHAPTERS: tuple[Chapter, ...] = (
    Chapter(
        number=0,
        doc="00-first-network",
        data=("mnist",),
        title="A first network",
        requires=(),
        recommends=(),
        reading_minutes=5,
        exercise_minutes=(0, 0),
        objectives=(
            "load a real data set with `minnet.datasets`",
            "look at it",
            "train a Keras model",
            "evaluate it on held-out data",
        ),
        exercises=(),
    ),
    Chapter(
        number=1,
        doc="01-neuron",
        title="The neuron",
        requires=(),
        recommends=(),
        reading_minutes=45,
        exercise_minutes=(60, 120),
        objectives=(
            (
                "**compute** a neuron's weighted sum $z = x \\cdot w + b$ and its output, for "
                "one example and for a batch, in numpy, in `minnet` and in Keras"
            ),
            (
                "**draw** the decision boundary of a two-input neuron from its weights and "
                "bias, and **choose** weights by hand that implement AND, OR and NAND"
            ),
            (
                "**apply** the perceptron learning rule and **state** the perceptron "
                "convergence theorem"
            ),
            (
                "**prove** that XOR is not linearly separable, **explain** why a one-unit "
                "network trained by gradient descent gets stuck on it, and **wire** a "
                "two-layer network of step neurons that computes it"
            ),
        ),
        exercises=(
            Exercise("ex-neuron-nand", "Weights for NAND and NOR", ("check_gate",)),
            Exercise("ex-neuron-weighted-sum", "The weighted sum of a batch",
                     ("check_weighted_sum",)),
            Exercise("ex-neuron-perceptron-update", "The perceptron update",
                     ("check_perceptron_update",)),
            Exercise("ex-neuron-parity", "Three-input parity", ()),
            Exercise("ex-neuron-count", "How many boolean functions can one neuron compute?",
                     ("check_separable_count",)),
            Exercise("ex-neuron-learning-rate", "Does the learning rate matter?", ()),
        ),
    ),
    Chapter(
        number=2,
        doc="02-activations",
        title="Activation functions",
        requires=("01-neuron", "notation"),
        recommends=(),
        reading_minutes=50,
        exercise_minutes=(60, 120),
        objectives=(
            (
                "**define** step, sigmoid, tanh, ReLU, leaky ReLU and softmax, and state each "
                "one's range"
            ),
            (
                "**derive** their derivatives by hand, including $\\sigma(1-\\sigma)$, "
                "$1-\\tanh^2$ and the softmax Jacobian, and **check** a derivative against "
                "central differences and `tf.GradientTape`"
            ),
            "**show** that a stack of linear layers is a single linear layer",
            "**measure** saturation and dead ReLUs, and explain what each does to the gradient",
            (
                "**choose** an activation for a hidden layer and for an output layer, and back"
                " the choice with an experiment"
            ),
        ),
        exercises=(
            Exercise("ex-02-ranges", "Ranges and slopes", ()),
            Exercise("ex-02-sigmoid", "A sigmoid that never overflows", ("check_sigmoid",)),
            Exercise("ex-02-tanh", "The derivative of tanh", ("check_tanh_derivative",)),
            Exercise("ex-02-leaky", "Leaky ReLU with a slope argument", ("check_leaky_relu",)),
            Exercise("ex-02-jacobian", "The softmax Jacobian for a batch",
                     ("check_softmax_jacobian",)),
            Exercise("ex-02-silu", "A newer activation: SiLU (swish)", ()),
        ),
    ),
    Chapter(
        number=3,
        doc="03-losses",
        title="Loss functions",
        requires=("01-neuron", "02-activations"),
        recommends=(),
        reading_minutes=60,
        exercise_minutes=(60, 120),
        objectives=(
            (
                "**derive** mean squared error from a Gaussian likelihood, and binary and "
                "categorical cross-entropy from Bernoulli and categorical likelihoods, and say"
                " what entropy, cross-entropy and KL divergence measure"
            ),
            (
                "**differentiate** each loss with respect to the predictions and to the "
                "logits, and show that softmax followed by cross-entropy has the gradient $p -"
                " y$"
            ),
            (
                "**compute** cross-entropy from logits with the log-sum-exp trick, and explain"
                " why a probability-clipping implementation reports the wrong loss on a "
                "saturated network"
            ),
            (
                "**convert** a learning rate between Nielsen's costs (the quadratic cost "
                "$\\frac{1}{2n}\\sum\\lVert y-a\\rVert^2$ and a cross-entropy summed over the "
                'outputs) and Keras\'s `"mse"` and `"binary_crossentropy"`, which average over '
                "the outputs"
            ),
            (
                "**choose** between sparse and one-hot labels, and read the error you get when"
                " they are mixed up"
            ),
        ),
        exercises=(
            Exercise("ex-03-by-hand", "Losses by hand", ("check_losses_by_hand",)),
            Exercise("ex-03-bce", "Binary cross-entropy as Keras computes it",
                     ("check_binary_crossentropy",)),
            Exercise("ex-03-logsumexp", "A log-sum-exp that never overflows", ("check_logsumexp",)),
            Exercise("ex-03-softmax-grad", "The gradient of softmax cross-entropy",
                     ("check_softmax_crossentropy_gradient",)),
            Exercise("ex-03-huber", "Derive the gradient of the Huber loss",
                     ("check_huber_gradient",)),
            Exercise("ex-03-open", "Squared error or cross-entropy for a classifier? (open-ended)",
                     ()),
        ),
    ),
    Chapter(
        number=4,
        doc="04-forward",
        title="Forward propagation",
        requires=("01-neuron", "02-activations"),
        recommends=(),
        reading_minutes=45,
        exercise_minutes=(60, 120),
        objectives=(
            (
                "write a dense layer as $z^l_k = \\sum_j a^{l-1}_j w^l_{jk} + b^l_k$, as $z^l ="
                " a^{l-1} W^l + b^l$ and as $Z^l = A^{l-1} W^l + b^l$, and give the shape of "
                "every array in each form"
            ),
            (
                "explain why computing a batch at once gives the same result as a loop over "
                "its examples"
            ),
            "count the parameters and the multiply-adds of each layer of a dense network",
            (
                "implement the forward pass of a 2-layer network in numpy and reproduce its "
                "outputs, to float32 rounding, with `minnet.Sequential` and with Keras, "
                "copying weights with `set_weights`"
            ),
            (
                "translate between the batch-first convention ($a^{l-1} W^l$) and the "
                "column-vector convention of many textbooks, Nielsen's included, whose matrix "
                "is $(W^l)^{\\mathsf T}$"
            ),
            (
                "build by hand a one-hidden-layer network that approximates a given function, "
                "and state the universal approximation theorem"
            ),
        ),
        exercises=(
            Exercise("ex-04-shapes", "Shapes of a 3-5-2 network", ("check_shapes",)),
            Exercise("ex-04-dense-forward", "A dense layer for a batch", ("check_dense_forward",)),
            Exercise("ex-04-counting", "Counting parameters and multiply-adds",
                     ("check_param_count", "check_multiply_adds")),
            Exercise("ex-04-network-forward", "A whole network, any depth",
                     ("check_network_forward",)),
            Exercise("ex-04-regions", "How many pieces can h ReLU units cut the plane into?", ()),
        ),
    ),
    Chapter(
        number=5,
        doc="05-backprop",
        title="Backpropagation",
        requires=("02-activations", "03-losses", "04-forward"),
        recommends=(),
        reading_minutes=120,
        exercise_minutes=(120, 120),
        objectives=(
            (
                "apply the chain rule on a computational graph, forward values first, "
                "gradients backward"
            ),
            (
                "derive the four equations of backpropagation for a stack of dense layers, "
                "entry by entry and then as matrix products for a batch"
            ),
            (
                "implement the backward pass of a dense network in numpy and match it line by "
                "line with `minnet.layers.Dense.backward`"
            ),
            (
                "check any gradient with central differences, read a relative error, and catch"
                " a broken backward pass"
            ),
            (
                "explain, with a measurement, why backpropagation costs a few forward passes "
                "(and memory for every layer's stored values) while finite differences cost "
                "two per weight"
            ),
            (
                "spot and correct the usual slips in backward formulas as tutorials state "
                "them: $f'$ applied twice, a layer index off by one, a gradient that belongs "
                "to another loss"
            ),
        ),
        exercises=(
            Exercise("ex-05-shapes", "Shapes of the backward pass", ("check_backward_shapes",)),
            Exercise("ex-05-graph", "The graph by hand", ()),
            Exercise("ex-05-swish", "The derivative of swish", ("check_swish_derivative",)),
            Exercise("ex-05-bp2", "BP2 for a batch", ("check_bp2",)),
            Exercise("ex-05-scale", "A layer minnet lacks: Scale", ("check_layer_backward",)),
            Exercise("ex-05-softmax-mse", "Softmax with mean squared error (open-ended)", ()),
        ),
    ),
    Chapter(
        number=6,
        doc="06-optimizers",
        data=("mnist",),
        title="Gradient descent and optimizers",
        requires=("03-losses", "05-backprop"),
        recommends=("notation",),
        reading_minutes=90,
        exercise_minutes=(120, 120),
        objectives=(
            (
                "derive the gradient-descent step from a first-order Taylor expansion, and "
                "state what it guarantees (a decrease, for a small enough learning rate) and "
                "what it does not"
            ),
            (
                "compute the largest stable learning rate $2/\\lambda_{\\max}$ of a quadratic "
                "loss from its Hessian, and recognise the four regimes of the learning rate on"
                " a loss curve"
            ),
            (
                "measure how the noise of a mini-batch gradient falls with the batch size, and"
                " count epochs and steps"
            ),
            (
                "write the update rules of momentum, Nesterov momentum, AdaGrad, RMSprop and "
                "Adam (with Adam's bias correction derived) in numpy, and match them step for "
                "step against `minnet` and Keras"
            ),
            (
                "use learning-rate schedules and `ReduceLROnPlateau`, and compare optimizers "
                "on a real training run"
            ),
        ),
        exercises=(
            Exercise("ex-06-stable", "The largest stable learning rate",
                     ("check_stable_learning_rate", "check_stable_rate_by_hand")),
            Exercise("ex-06-momentum", "One step of momentum", ("check_momentum_step",)),
            Exercise("ex-06-adam", "One step of Adam", ("check_adam_step",)),
            Exercise("ex-06-velocity", "Terminal velocity", ("check_velocity_steps",)),
            Exercise("ex-06-batch", "Batch size and learning rate (open-ended)", ()),
        ),
    ),
    Chapter(
        number=7,
        doc="07-training",
        data=("mnist",),
        title="Training a network end to end",
        requires=("03-losses", "04-forward", "05-backprop"),
        recommends=("06-optimizers",),
        reading_minutes=75,
        exercise_minutes=(120, 120),
        objectives=(
            (
                "write a training loop in numpy (shuffle, batch, forward, loss, backward, "
                "update, validate) and match its losses with `minnet` and Keras to a stated "
                "tolerance"
            ),
            (
                "derive the loss an untrained classifier should report, and run the three "
                "checks a practitioner runs before a long training job"
            ),
            (
                "explain why a 2-2-1 network sometimes fails on XOR, and diagnose a failed run"
                " from its hidden units"
            ),
            (
                "predict what a linear model trained with mean squared error learns on noisy "
                "data, and compare it with the closed-form least-squares answer"
            ),
            (
                "evaluate a classifier with training, validation and test sets, accuracy, loss"
                " and a confusion matrix, and say why the test set is used once"
            ),
        ),
        exercises=(
            Exercise("ex-07-batches", "Mini-batches of an epoch", ("check_batch_indices",)),
            Exercise("ex-07-least-squares", "Least squares in closed form",
                     ("check_least_squares",)),
            Exercise("ex-07-initial-loss", "The loss before training", ("check_initial_loss",)),
            Exercise("ex-07-xor", "Getting XOR unstuck (open-ended)", ()),
            Exercise("ex-07-test-once", "The test set, once", ()),
        ),
    ),
    Chapter(
        number=8,
        doc="08-overfitting",
        data=("mnist",),
        title="Overfitting and generalization",
        requires=("03-losses", "05-backprop", "06-optimizers", "07-training"),
        recommends=(),
        reading_minutes=120,
        exercise_minutes=(120, 120),
        objectives=(
            (
                "diagnose underfitting and overfitting from training and validation errors, "
                "and explain them with the decomposition of the test error into bias, variance"
                " and noise"
            ),
            (
                "derive L2 and L1 regularization twice, as a prior on the weights and as a "
                "change to the gradient step (weight decay), and convert Nielsen's $\\lambda$ "
                "into Keras's `l2`"
            ),
            (
                "implement inverted dropout and explain why the survivors are divided by $1 - "
                "\\text{rate}$"
            ),
            (
                "keep training, validation and test data apart, stop training early on the "
                "validation loss, and estimate a model's error by k-fold cross-validation"
            ),
            (
                "run each remedy in `minnet` and in Keras from the same initial weights and "
                "compare the results"
            ),
        ),
        exercises=(
            Exercise("ex-08-curves", "Reading the curves", ()),
            Exercise("ex-08-l2", "Nielsen's lambda in Keras",
                     ("check_l2_from_nielsen", "check_l2_numbers")),
            Exercise("ex-08-dropout", "Inverted dropout", ("check_inverted_dropout",)),
            Exercise("ex-08-early-stopping", "The early-stopping rule", ("check_early_stopping",)),
            Exercise("ex-08-soft-threshold", "Exact zeros with L1 (open-ended)", ()),
            Exercise("ex-08-cv", "Choosing lambda by cross-validation (open-ended)", ()),
        ),
    ),
    Chapter(
        number=9,
        doc="09-initialization",
        data=("mnist",),
        title="Initialization and vanishing and exploding gradients",
        requires=("02-activations", "04-forward", "05-backprop"),
        recommends=("06-optimizers",),
        reading_minutes=90,
        exercise_minutes=(120, 120),
        objectives=(
            (
                "explain, and demonstrate, why weights that start equal stay equal (the "
                "symmetry problem)"
            ),
            (
                "derive the variance of the weighted inputs and of the errors $\\Delta^l$ "
                "through linear, tanh and ReLU layers, and from it the Glorot and He "
                "initializers"
            ),
            (
                "implement those initializers in numpy and check them against "
                "`minnet.initializers` and `keras.initializers`"
            ),
            (
                "read per-layer histograms of activations and gradients and diagnose "
                "saturation, vanishing and exploding gradients from them"
            ),
            (
                "use `clipnorm` and `clipvalue` in `minnet` and Keras, and say what each does "
                "to the direction of the gradient"
            ),
        ),
        exercises=(
            Exercise("ex-09-numbers", "Limits and standard deviations by hand",
                     ("check_init_numbers",)),
            Exercise("ex-09-variance", "Predict the variance through depth",
                     ("check_forward_variance",)),
            Exercise("ex-09-scaling", "Keras's VarianceScaling, from scratch",
                     ("check_variance_scaling",)),
            Exercise("ex-09-clip", "Clipping by the global norm", ("check_clip_by_global_norm",)),
            Exercise("ex-09-gain", "The right gain for tanh (open-ended)", ()),
        ),
    ),
    Chapter(
        number=10,
        doc="10-when-training-goes-wrong",
        data=("mnist",),
        title="When training goes wrong",
        requires=("03-losses", "05-backprop", "06-optimizers"),
        recommends=("07-training", "09-initialization"),
        reading_minutes=90,
        exercise_minutes=(90, 90),
        objectives=(
            (
                "recognise the usual failures of a training script (wrong shapes, labels that "
                "do not fit the loss, NaN in the data, unscaled inputs, a learning rate that "
                "diverges) from Keras's and `minnet`'s errors, or from their silence"
            ),
            (
                "predict the initial loss of a classifier, $\\ln K$ for $K$ classes, and use it"
                " to catch badly scaled inputs before training"
            ),
            (
                "write training code that catches `minnet.errors.DivergenceError`, restores "
                "the last good weights and retries with a smaller learning rate, and that "
                "saves checkpoints and resumes an interrupted run"
            ),
            (
                "compute the update-to-weight ratio of a layer and read it against the rule of"
                " thumb $10^{-3}$"
            ),
            (
                "debug a training script in order: initial loss, overfitting one batch, "
                "gradient check, learning rate and update ratio, looking at the data"
            ),
        ),
        exercises=(
            Exercise("ex-10-initial-loss", "Initial losses to expect", ("check_initial_losses",)),
            Exercise("ex-10-update-ratio", "The update-to-weight ratio", ("check_update_ratio",)),
            Exercise("ex-10-clip", "Clipping by norm", ("check_clip_by_norm",)),
            Exercise("ex-10-find", "Find the bug", ()),
            Exercise("ex-10-retry", "A retry loop that gives up well (open-ended)", ()),
        ),
    ),
)


def chapter(doc: str) -> Chapter:
    """The chapter whose notebook is ``book/<doc>.ipynb``."""
    for candidate in CHAPTERS:
        if candidate.doc == doc:
            return candidate
    known = ", ".join(c.doc for c in CHAPTERS)
    raise KeyError(f"no chapter {doc!r} in the book; the chapters are {known}")


def format_minutes(minutes: int) -> str:
    """``45`` -> ``"45 min"``, ``90`` -> ``"1.5 h"``, ``120`` -> ``"2 h"``."""
    if minutes >= 60 and minutes % 30 == 0:
        return f"{minutes / 60:g} h"
    return f"{minutes} min"


def format_time(found: Chapter) -> str:
    """A chapter's time as "reading + exercises": ``"45 min + 1-2 h"``, ``"5 min"``."""
    low, high = found.exercise_minutes
    reading = format_minutes(found.reading_minutes)
    if not high:
        return reading
    if low == high:
        return f"{reading} + {format_minutes(high)}"
    if low % 60 == 0 and high % 60 == 0:
        return f"{reading} + {low // 60}-{high // 60} h"
    return f"{reading} + {format_minutes(low)} to {format_minutes(high)}"


def prerequisite_edges() -> list[tuple[str, str, str]]:
    """Every arrow of the chapter map: ``(from_doc, to_doc, "requires" or "recommends")``."""
    edges = []
    for target in CHAPTERS:
        edges += [(doc, target.doc, "requires") for doc in target.requires]
        edges += [(doc, target.doc, "recommends") for doc in target.recommends]
    return edges


# ------------------------------------------------------------------ course plans


@dataclass(frozen=True)
class Session:
    """One day or week of a course: chapters to work through, exercises to hand in."""

    chapters: tuple[str, ...]
    exercises: tuple[str, ...]  # exercise labels


@dataclass(frozen=True)
class Plan:
    """A course: sessions in order, and the hours of student work each session allows."""

    name: str
    unit: str  # "day" or "week"
    hours_per_session: float
    sessions: tuple[Session, ...]


def chapter_minutes(doc: str, exercises: tuple[str, ...] | list[str] = ()) -> int:
    """Minutes to read and run a chapter and do the given ones of its exercises.

    The exercises count the top of the chapter's stated exercise time in proportion to the
    share of its exercises assigned.
    """
    found = chapter(doc)
    mine = [e for e in found.exercises if e.label in set(exercises)]
    share = len(mine) / len(found.exercises) if found.exercises else 0.0
    return found.reading_minutes + round(found.exercise_minutes[1] * share)


def session_minutes(plan: Plan) -> list[int]:
    """The minutes of student work in each session of a plan."""
    return [
        sum(chapter_minutes(doc, session.exercises) for doc in session.chapters)
        for session in plan.sessions
    ]


def plan_problems(plan: Plan) -> list[str]:
    """What is wrong with a plan, as sentences; an empty list for a good plan.

    A good plan takes every chapter once, after (or in the same session as, and later in the
    list than) every chapter it requires; assigns only exercises of chapters reached by then;
    and keeps each session within ``plan.hours_per_session``.
    """
    problems = []
    done: list[str] = []
    owner = {e.label: c.doc for c in CHAPTERS for e in c.exercises}
    for k, session in enumerate(plan.sessions, start=1):
        where = f"{plan.name}, {plan.unit} {k}"
        for doc in session.chapters:
            if doc in done:
                problems.append(f"{where}: {doc} was already taken")
            for needed in chapter(doc).requires:
                if needed not in PAGES and needed not in done:
                    problems.append(f"{where}: {doc} comes before {needed}, which it requires")
            done.append(doc)
        for label in session.exercises:
            if label not in owner:
                problems.append(f"{where}: no exercise {label!r} in the book")
            elif owner[label] not in done:
                problems.append(f"{where}: exercise {label} belongs to {owner[label]}, "
                                "not taken yet")
    for k, minutes in enumerate(session_minutes(plan), start=1):
        if minutes > plan.hours_per_session * 60:
            problems.append(f"{plan.name}, {plan.unit} {k}: {minutes} minutes of work, more "
                            f"than the {plan.hours_per_session:g} hours the plan allows")
    return problems


def _all(doc: str) -> tuple[str, ...]:
    return tuple(e.label for e in chapter(doc).exercises)


#: Three suggested courses. Exercises are named by their labels in the chapters.
PLANS: dict[str, Plan] = {
    # Five days, four hours of student work a day: from one neuron to a trained MNIST
    # classifier, with the exercises that have checkers.
    "1-week": Plan("1-week", "day", 4, (
        Session(("00-first-network", "01-neuron"),
                ("ex-neuron-nand", "ex-neuron-weighted-sum", "ex-neuron-perceptron-update")),
        Session(("02-activations", "03-losses"),
                ("ex-02-sigmoid", "ex-02-tanh", "ex-03-by-hand", "ex-03-logsumexp")),
        Session(("04-forward",),
                ("ex-04-dense-forward", "ex-04-counting", "ex-04-network-forward")),
        Session(("05-backprop",), ("ex-05-swish", "ex-05-bp2", "ex-05-scale")),
        Session(("07-training",),
                ("ex-07-batches", "ex-07-least-squares", "ex-07-initial-loss")),
    )),
    # Four weeks, eight hours a week: chapters 0 to 8, three exercises per chapter, two
    # with checkers and one without.
    "4-week": Plan("4-week", "week", 8, (
        Session(("00-first-network", "01-neuron", "02-activations"),
                ("ex-neuron-nand", "ex-neuron-perceptron-update", "ex-neuron-parity",
                 "ex-02-ranges", "ex-02-sigmoid", "ex-02-jacobian")),
        Session(("03-losses", "04-forward"),
                ("ex-03-by-hand", "ex-03-logsumexp", "ex-03-open",
                 "ex-04-shapes", "ex-04-counting", "ex-04-regions")),
        Session(("05-backprop", "06-optimizers"),
                ("ex-05-graph", "ex-05-bp2", "ex-05-scale",
                 "ex-06-stable", "ex-06-adam", "ex-06-batch")),
        Session(("07-training", "08-overfitting"),
                ("ex-07-batches", "ex-07-initial-loss", "ex-07-test-once",
                 "ex-08-curves", "ex-08-l2", "ex-08-dropout")),
    )),
    "10-week": Plan("10-week", "week", 6, (
        Session(("00-first-network", "01-neuron"), _all("01-neuron")),
        *(Session((doc,), _all(doc)) for doc in (
            "02-activations", "03-losses", "04-forward", "05-backprop", "06-optimizers",
            "07-training", "08-overfitting", "09-initialization",
            "10-when-training-goes-wrong",
        )),
    )),
}
