"""minnet.exercises.core: the checker engine (each chapter's checkers are tested in that
chapter's file, tests/test_exercises_<chapter>.py)."""

import math
import os
import subprocess
import sys

import numpy as np
import pytest

from minnet.exercises import (
    Case,
    CheckResult,
    check_function,
    check_gradient,
    check_value,
    numerical_gradient,
)


def np_sigmoid(z):
    return 1 / (1 + np.exp(-z))


def stable_softmax(z):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


CASES = [Case("a 1-D array", (np.array([-1.0, 0.0, 2.0]),)),
         Case("large negative z", (np.array([-800.0, -1000.0]),)),
         Case("large positive z", (np.array([800.0, 1000.0]),))]


# ------------------------------------------------------------------ result object


def test_correct_function_passes_and_result_is_truthy(capsys):
    result = check_function(np_sigmoid, np_sigmoid, CASES[:1], name="sigmoid")
    assert isinstance(result, CheckResult)
    assert result and result.passed
    assert result.checked == ["a 1-D array"]
    assert result.failure is None
    printed = capsys.readouterr().out
    assert printed.startswith("PASS sigmoid") and "a 1-D array" in printed
    assert printed.strip() == result.message


def test_wrong_function_fails_and_result_is_falsy(capsys):
    result = check_function(lambda z: 2 * z, np_sigmoid, CASES, name="sigmoid", verbose=False)
    assert not result and result.passed is False
    assert result.failure.case == "a 1-D array" and result.failure.kind == "value"
    assert result.message.startswith("FAIL sigmoid: fails for a 1-D array")
    assert capsys.readouterr().out == ""  # verbose=False prints nothing
    with pytest.raises(AssertionError):
        assert result


# ------------------------------------------------------------------ kinds of failure


def test_overflowing_sigmoid_fails_on_large_inputs_with_hint():
    def naive(z):
        return np.exp(z) / (1 + np.exp(z))  # inf / inf = nan for large z

    result = check_function(naive, np_sigmoid, CASES, hints={"large positive z": "exp overflows"},
                            verbose=False)
    assert not result
    assert result.failure.case == "large positive z"
    assert result.failure.kind == "nonfinite"
    assert "got:" in result.message and "nan" in result.message
    assert "Hint: exp overflows" in result.message
    assert "(passed before this: a 1-D array, large negative z)" in result.message


def test_wrong_shape_is_reported_with_both_shapes():
    def summed(z):
        return np.exp(z).sum(axis=-1)  # forgot to divide: one number per row

    cases = [Case("a 2-D batch", (np.ones((4, 3)),))]
    result = check_function(summed, stable_softmax, cases, verbose=False)
    assert not result and result.failure.kind == "shape"
    assert "got shape (4,), expected shape (4, 3)" in result.message


def test_exception_in_student_code_is_reported_not_dumped():
    def broken(z):
        scale = 0
        return z / scale if isinstance(z, float) else math.exp(-z)

    result = check_function(broken, np_sigmoid, [Case("a number", (1.5,))], verbose=False)
    assert not result and result.failure.kind == "exception"
    assert "ZeroDivisionError: float division by zero" in result.message
    assert "return z / scale" in result.message  # the student's line
    assert "Traceback" not in result.message

    result = check_function(broken, np_sigmoid, CASES[:1], verbose=False)
    assert result.failure.case == "a 1-D array" and "TypeError" in result.message


def test_missing_return_and_non_numeric_results():
    result = check_function(lambda z: None, np_sigmoid, CASES, verbose=False)
    assert result.failure.kind == "none" and "return" in result.message
    result = check_function(lambda z: "0.5", np_sigmoid, CASES, verbose=False)
    assert result.failure.kind == "type"


def test_in_place_modification_of_the_input_fails():
    def relu_in_place(z):
        z[z < 0] = 0
        return z

    result = check_function(relu_in_place, lambda z: np.maximum(z, 0), CASES[:1], verbose=False)
    assert not result and result.failure.kind == "mutation"
    assert "changed its input" in result.message


def test_dtype_is_checked_only_where_the_case_asks():
    upcasting = lambda z: np.float64(1.0) / (1 + np.exp(-z))  # noqa: E731
    z32 = np.linspace(-2, 2, 5, dtype=np.float32)
    assert check_function(upcasting, np_sigmoid, [Case("float32", (z32,), rtol=1e-5)], verbose=False)
    result = check_function(upcasting, np_sigmoid,
                            [Case("float32", (z32,), check_dtype=True, rtol=1e-5)], verbose=False)
    assert result.failure.kind == "dtype"
    assert "float64, expected float32" in result.message


def test_numpy_warnings_are_notes_unless_strict():
    def warns(z):
        return 1 / (1 + np.exp(-z))  # right values, but exp(1000) overflows on the way

    result = check_function(warns, np_sigmoid, CASES, verbose=False)
    assert result and any("overflow" in note for note in result.notes)
    assert "Note:" in result.message
    strict = check_function(warns, np_sigmoid, CASES, strict_warnings=True, verbose=False)
    assert not strict and strict.failure.kind == "warning"


def test_hint_precedence_case_then_label_then_kind_then_default():
    cases = [Case("c", (np.zeros(2),), hint={"value": "from the case"})]
    wrong = lambda z: z + 1  # noqa: E731
    assert check_function(wrong, np_sigmoid, cases, verbose=False).failure.hint == "from the case"
    cases = [Case("c", (np.zeros(2),))]
    hints = {"c": {"value": "from the label"}, "value": "from the kind"}
    assert check_function(wrong, np_sigmoid, cases, hints=hints, verbose=False).failure.hint == "from the label"
    hints = {"value": "from the kind"}
    assert check_function(wrong, np_sigmoid, cases, hints=hints, verbose=False).failure.hint == "from the kind"
    assert check_function(wrong, np_sigmoid, cases, verbose=False).failure.hint


def test_not_a_function():
    result = check_function(0.5, np_sigmoid, CASES, verbose=False)
    assert not result and "without calling it" in result.message


def test_tolerance_is_respected():
    slightly_off = lambda z: np_sigmoid(z) * (1 + 1e-4)  # noqa: E731
    assert not check_function(slightly_off, np_sigmoid, CASES[:1], verbose=False)
    assert check_function(slightly_off, np_sigmoid, CASES[:1], rtol=1e-3, verbose=False)


# ------------------------------------------------------------------ gradients


def test_numerical_gradient_matches_a_known_gradient():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    np.testing.assert_allclose(numerical_gradient(lambda a: np.sum(a ** 3), x), 3 * x ** 2, rtol=1e-7)
    y = np.array([[0.0, 1.0], [1.0, 1.0]])
    mse = lambda y_true, y_pred: np.mean((y_pred - y_true) ** 2)  # noqa: E731
    np.testing.assert_allclose(numerical_gradient(mse, y, x, wrt=1), 2 * (x - y) / x.size, rtol=1e-7)


def test_check_gradient_passes_a_right_derivative_and_fails_a_wrong_one():
    cases = [Case("a 1-D array", (np.linspace(-3, 3, 7),)), Case("a 2-D batch", (np.ones((2, 3)),))]
    right = check_gradient(lambda z: np_sigmoid(z) * (1 - np_sigmoid(z)), np_sigmoid, cases,
                           name="sigmoid'", verbose=False)
    assert right and "central differences" in right.message
    assert "Largest relative error" in right.message

    wrong = check_gradient(lambda z: np_sigmoid(z) * (1 + np_sigmoid(z)), np_sigmoid, cases,
                           verbose=False)
    assert not wrong and wrong.failure.kind == "value"
    assert "central differences:" in wrong.message


def test_check_gradient_reports_the_relative_error_it_floors_like_gradcheck():
    """A right gradient of about 1e-305 against central differences of exactly 0 is a
    match: the error printed beside PASS is floored like minnet.gradient_check's, never 1."""
    cases = [Case("large negative z", (np.array([-800.0, -745.0]),))]
    result = check_gradient(lambda z: np.full_like(z, 1e-305), lambda z: 0.0 * z, cases,
                            verbose=False)
    assert result
    worst = float(result.message.rsplit(": ", 1)[1].rstrip("."))
    assert worst < 1e-290, result.message
    assert "max(|g| + |n|, 1e-08)" in result.message


def test_check_gradient_with_respect_to_second_argument():
    def mse(y_true, y_pred):
        return np.mean((y_pred - y_true) ** 2)

    y_true = np.array([[0.0], [1.0], [1.0]])
    y_pred = np.array([[0.2], [0.7], [1.4]])
    cases = [Case("a batch of 3", (y_true, y_pred))]
    good = check_gradient(lambda t, p: 2 * (p - t) / t.size, mse, cases, wrt=1, verbose=False)
    assert good
    forgot_mean = check_gradient(lambda t, p: 2 * (p - t), mse, cases, wrt=1, verbose=False)
    assert not forgot_mean


def test_check_value_never_prints_the_expected_answer():
    assert check_value(0.7311, 0.7310585786300049, rtol=1e-3, verbose=False)
    result = check_value(0.5, 0.7310585786300049, name="neuron output", hint="apply sigmoid",
                         verbose=False)
    assert not result and "0.731" not in result.message and "apply sigmoid" in result.message
    assert check_value(np.zeros(3), np.zeros((3, 1)), verbose=False).failure.kind == "shape"




def test_exercises_import_numpy_only():
    code = ("import sys, minnet.exercises, minnet.exercises.activations; "
            "heavy = {'matplotlib', 'tensorflow', 'ipywidgets'} & set(sys.modules); "
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True, env=dict(os.environ))


def test_numpy_scalars_are_shown_as_plain_numbers(capsys):
    from minnet.exercises.core import check_value

    assert check_value(np.int64(14), 14)
    out = capsys.readouterr().out
    assert "np.int64" not in out and "14" in out


def test_a_failure_message_summarises_large_inputs_in_a_few_lines():
    """network_forward's inputs are a batch and a list of weight arrays: each large array
    is shown by its shape, dtype and first entries, never printed whole."""
    from minnet.exercises.core import _fmt
    from minnet.exercises.forward import check_network_forward

    weights = [np.ones((784, 128), np.float32), np.zeros(128, np.float32)]
    text = _fmt(weights)
    assert text == ("[array of shape (784, 128), dtype float32: [1, 1, 1, ...], "
                    "array of shape (128,), dtype float32: [0, 0, 0, ...]]")
    assert _fmt((np.array([1.0, 2.0]),)) == "(array([1., 2.]),)"
    result = check_network_forward(lambda X, weights, activations: X @ weights[0],
                                   verbose=False)
    assert not result and result.failure.kind == "shape"
    lines = result.message.splitlines()
    assert len(lines) <= 5 and all(len(line) < 400 for line in lines[:3]), result.message
    assert "array of shape (5, 2), dtype float64" in lines[1]


# ------------------------------------------------------------------ loops


def _loop_for(X):
    total = 0
    for x in X:
        total += x
    return total


def _loop_comprehension(X):
    return np.array([
        x * 2
        for x in X])


def _loop_map(X):
    return np.fromiter(map(float, X), float)


def _no_loop(X):
    return X @ X.T


def test_python_loops_names_each_kind_of_loop_and_its_line():
    from minnet.exercises.core import Loop, python_loops

    assert python_loops(_loop_for) == [Loop("a `for` loop", "for x in X:")]
    assert python_loops(_loop_comprehension) == [Loop("a list comprehension", "for x in X])")]
    assert [loop.kind for loop in python_loops(_loop_map)] == [
        "`fromiter`, which calls Python once per row", "`map`, which calls Python once per row"]
    assert python_loops(_no_loop) == []
    assert python_loops(np.tanh) == []  # no Python source to read
    one_lambda = lambda X: [x for x in X]  # noqa: E731
    assert [loop.kind for loop in python_loops(one_lambda)] == ["a list comprehension"]
    _, b = (lambda X: X), (lambda X: [x for x in X])
    assert python_loops(b) == []  # two lambdas on one line: cannot tell which is which


# ------------------------------------------------------------------ stubs


def _stub(*args, **kwargs):
    raise NotImplementedError


def _function_checkers():
    import importlib
    import inspect

    found = []
    for chapter in ("neuron", "activations", "losses", "forward", "backprop"):
        module = importlib.import_module(f"minnet.exercises.{chapter}")
        for name, checker in sorted(vars(module).items()):
            if (name.startswith("check_") and inspect.isfunction(checker)
                    and checker.__module__ == module.__name__
                    and next(iter(inspect.signature(checker).parameters)) == "fn"):
                found.append(pytest.param(checker, id=f"{chapter}.{name}"))
    return found


@pytest.mark.parametrize("checker", _function_checkers())
def test_every_checker_reports_a_stub_as_not_attempted_yet(checker, capsys):
    result = checker(_stub)
    out = capsys.readouterr().out
    assert not result and result.failure.kind == "not attempted"
    assert out.startswith("NOT ATTEMPTED YET") and "NotImplementedError" in out
    assert "Hint" not in out and "FAIL" not in out
    assert "NOT ATTEMPTED YET" in repr(result)


def test_engine_entry_points_report_a_stub_as_not_attempted_yet():
    assert check_function(_stub, np.tanh, CASES, verbose=False).failure.kind == "not attempted"
    result = check_gradient(_stub, np.tanh, CASES[:1], verbose=False)
    assert result.message.startswith("NOT ATTEMPTED YET")


def test_layer_checker_reports_a_stub_backward_or_forward_as_not_attempted_yet():
    from minnet.exercises.backprop import check_layer_backward
    from minnet.layers import Layer

    class Stub(Layer):
        def forward(self, x, training=False):
            return 2 * x

        def backward(self, grad_output):
            raise NotImplementedError

    class NoForward(Stub):
        def forward(self, x, training=False):
            raise NotImplementedError

    for layer, part in ((Stub, "backward"), (NoForward, "forward")):
        result = check_layer_backward(layer, verbose=False)
        assert not result and result.failure.kind == "not attempted"
        assert result.message.startswith(f"NOT ATTEMPTED YET Stub.backward: {part}") or \
            result.message.startswith(f"NOT ATTEMPTED YET NoForward.backward: {part}")


def test_check_result_constructors_write_the_verdict_one_way():
    passed = CheckResult.passing("x", "PASS x: fine.", ["a"])
    assert passed and passed.checked == ["a"] and str(passed) == "PASS x: fine."
    failed = CheckResult.failing("x", "got 1\nexpected 2", "think", case="a scalar",
                                 inputs="z = 0", checked=["a"])
    assert not failed and failed.failure.case == "a scalar" and failed.failure.hint == "think"
    assert failed.message.splitlines() == [
        "FAIL x: fails for a scalar.", "    input:    z = 0", "    got 1", "    expected 2",
        "    Hint: think", "    (passed before this: a)"]
    short = CheckResult.failing("x", "3 is not right.", kind="value")
    assert short.message == "FAIL x: 3 is not right." and short.failure.case == "your value"
