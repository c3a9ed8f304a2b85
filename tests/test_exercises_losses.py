"""The chapter-3 checkers pass right answers and fail specific wrong ones with useful hints."""

from __future__ import annotations

import numpy as np
import pytest

from minnet.exercises import losses as ex

# ----------------------------------------------------------------- right answers


def bce_right(y_true, y_pred):
    p = np.clip(y_pred, 1e-7, 1 - 1e-7)
    e = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))
    return e.mean(axis=-1) if e.ndim > 1 else e


def lse_right(z):
    m = np.max(z, axis=-1, keepdims=True)
    return np.squeeze(m, -1) + np.log(np.sum(np.exp(z - m), axis=-1))


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def sce_grad_right(y, z):
    return (softmax(z) - y) / z.shape[0]


def huber_grad_right(y_true, y_pred):
    r = y_pred - y_true
    return np.where(np.abs(r) <= 1.0, r, np.sign(r)) / r.size


def mae_grad_right(y_true, y_pred):
    return np.sign(y_pred - y_true) / y_pred.size


@pytest.mark.parametrize(
    "checker, fn",
    [
        (ex.check_binary_crossentropy, bce_right),
        (ex.check_logsumexp, lse_right),
        (ex.check_softmax_crossentropy_gradient, sce_grad_right),
        (ex.check_huber_gradient, huber_grad_right),
        (ex.check_mae_gradient, mae_grad_right),
    ],
)
def test_right_answers_pass(checker, fn, capsys):
    result = checker(fn)
    assert result, result.message
    assert capsys.readouterr().out.startswith("PASS")


def test_checkers_are_quiet_on_request(capsys):
    assert ex.check_logsumexp(lse_right, verbose=False)
    assert capsys.readouterr().out == ""


# ------------------------------------------------------------------ wrong answers


def _fails(result, case, kind, hint_part):
    assert not result
    assert result.failure.case == case, result.message
    assert result.failure.kind == kind, result.message
    assert hint_part in result.failure.hint, result.failure.hint
    assert "Hint:" in result.message


def test_bce_without_clipping_fails_on_extremes():
    def unclipped(y_true, y_pred):
        with np.errstate(all="ignore"):
            e = -(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred))
        return e.mean(axis=-1) if e.ndim > 1 else e

    _fails(
        ex.check_binary_crossentropy(unclipped, verbose=False),
        "predictions of exactly 0 and 1",
        "nonfinite",
        "clips",
    )


def test_bce_with_a_small_epsilon_inside_the_log_fails_on_extremes():
    def eps_inside(y_true, y_pred):
        e = -(y_true * np.log(y_pred + 1e-12) + (1 - y_true) * np.log(1 - y_pred + 1e-12))
        return e.mean(axis=-1) if e.ndim > 1 else e

    _fails(
        ex.check_binary_crossentropy(eps_inside, verbose=False),
        "predictions of exactly 0 and 1",
        "value",
        "Clip the predictions",
    )


def test_bce_averaged_over_the_whole_batch_fails_with_the_per_example_hint():
    def batch_mean(y_true, y_pred):
        return np.mean(bce_right(y_true, y_pred))

    _fails(
        ex.check_binary_crossentropy(batch_mean, verbose=False),
        "one example, one output",
        "shape",
        "one number per example",
    )


def test_bce_with_swapped_terms_fails_on_values():
    def swapped(y_true, y_pred):
        return bce_right(1 - y_true, y_pred)

    _fails(
        ex.check_binary_crossentropy(swapped, verbose=False),
        "one example, one output",
        "value",
        "-log(0.8)",
    )


def test_naive_logsumexp_fails_on_large_logits():
    def naive(z):
        return np.log(np.sum(np.exp(z), axis=-1))

    _fails(
        ex.check_logsumexp(naive, verbose=False),
        "large logits",
        "nonfinite",
        "m + log sum exp(z - m)",
    )


def test_logsumexp_with_a_global_max_fails_on_the_batch_of_large_logits():
    def global_max(z):
        m = np.max(z)
        return m + np.log(np.sum(np.exp(z - m), axis=-1))

    _fails(
        ex.check_logsumexp(global_max, verbose=False),
        "a batch of large logits",
        "nonfinite",
        "per row",
    )


def test_logsumexp_that_forgets_to_add_the_max_back_fails():
    def forgot(z):
        m = np.max(z, axis=-1, keepdims=True)
        return np.log(np.sum(np.exp(z - m), axis=-1))

    _fails(ex.check_logsumexp(forgot, verbose=False), "a small vector", "value", "3.4076")


def test_softmax_gradient_without_batch_mean_fails_with_the_mean_hint():
    def no_mean(y, z):
        return softmax(z) - y

    _fails(
        ex.check_softmax_crossentropy_gradient(no_mean, verbose=False),
        "a batch of four",
        "value",
        "divided by",
    )


def test_softmax_gradient_with_the_wrong_sign_fails():
    def flipped(y, z):
        return (y - softmax(z)) / z.shape[0]

    _fails(
        ex.check_softmax_crossentropy_gradient(flipped, verbose=False),
        "one example",
        "value",
        "sign",
    )


def test_unstable_softmax_gradient_fails_on_large_logits():
    def unstable(y, z):
        with np.errstate(all="ignore"):
            e = np.exp(z)
            return (e / e.sum(axis=-1, keepdims=True) - y) / z.shape[0]

    _fails(
        ex.check_softmax_crossentropy_gradient(unstable, verbose=False),
        "large logits",
        "nonfinite",
        "subtracted",
    )


def test_huber_gradient_of_the_squared_error_fails_on_a_large_residual():
    def squared_only(y_true, y_pred):
        return (y_pred - y_true) / y_pred.size

    _fails(
        ex.check_huber_gradient(squared_only, verbose=False),
        "one large residual",
        "value",
        "sign of r",
    )


def test_huber_gradient_without_the_mean_fails_on_the_batch():
    def no_mean(y_true, y_pred):
        r = y_pred - y_true
        return np.where(np.abs(r) <= 1.0, r, np.sign(r))

    _fails(
        ex.check_huber_gradient(no_mean, verbose=False),
        "a batch of mixed residuals",
        "value",
        "y_pred.size",
    )


def test_mae_gradient_with_the_wrong_sign_fails():
    def flipped(y_true, y_pred):
        return np.sign(y_true - y_pred) / y_pred.size

    _fails(
        ex.check_mae_gradient(flipped, verbose=False), "one small residual", "value", "sign of r"
    )


def test_reference_losses_match_keras_conventions():
    y = np.array([[0.0, 1.0], [2.0, -1.0]])
    p = np.array([[0.5, 3.0], [2.0, 0.0]])
    r = p - y
    h = np.where(np.abs(r) <= 1, 0.5 * r**2, np.abs(r) - 0.5)
    assert ex.huber(y, p) == pytest.approx(h.mean())
    assert ex.mean_absolute_error(y, p) == pytest.approx(np.abs(r).mean())


# --------------------------------------------------------------- losses by hand

RIGHT_BY_HAND = {"bce": -np.log(0.8), "dbce_dp": -0.2 / 0.16, "dbce_dz": -0.2, "dmse_dz": -0.064}


def test_losses_by_hand_right_answers_pass(capsys):
    assert ex.check_losses_by_hand(dict(RIGHT_BY_HAND))
    out = capsys.readouterr().out
    assert out.count("PASS") == 4


def test_losses_by_hand_unanswered_is_not_attempted_and_prints_no_answer(capsys):
    result = ex.check_losses_by_hand(dict.fromkeys(RIGHT_BY_HAND))
    assert not result
    assert result.failure.kind == "not attempted"
    out = capsys.readouterr().out
    assert out.count("not answered yet") == 4
    assert "0.2231" not in out and "-1.25" not in out


@pytest.mark.parametrize(
    "key, wrong, hint_part",
    [
        ("bce", -np.log10(0.8), "natural logarithm"),
        ("dbce_dp", -0.2, "with respect to the logit z"),
        ("dbce_dz", 0.2, "p - y, not y - p"),
        ("dbce_dz", -1.25, "slope dp/dz"),
        ("dmse_dz", -0.032, "factor 2"),
        ("dmse_dz", -0.4, "chain rule"),
    ],
)
def test_losses_by_hand_typical_mistakes_get_their_hint(key, wrong, hint_part, capsys):
    answers = dict(RIGHT_BY_HAND, **{key: wrong})
    result = ex.check_losses_by_hand(answers, verbose=False)
    assert not result
    assert result.failure.case == key
    assert hint_part in result.failure.hint, result.failure.hint
    assert f"{RIGHT_BY_HAND[key]:.6g}" not in result.message  # the answer is never printed


def test_softmax_gradient_with_one_maximum_for_the_whole_batch_fails():
    def global_max(y, z):
        with np.errstate(all="ignore"):
            e = np.exp(z - z.max())
            return (e / e.sum(axis=-1, keepdims=True) - y) / z.shape[0]

    _fails(
        ex.check_softmax_crossentropy_gradient(global_max, verbose=False),
        "a batch of large and small logits",
        "nonfinite",
        "each row's own largest logit",
    )


def test_softmax_normalised_over_the_whole_batch_gets_the_per_row_hint():
    def whole_batch(y, z):
        e = np.exp(z - z.max())
        return (e / e.sum() - y) / z.shape[0]

    _fails(
        ex.check_softmax_crossentropy_gradient(whole_batch, verbose=False),
        "a batch of four",
        "value",
        "row by row",
    )


def test_bce_with_a_smaller_clip_gets_the_epsilon_hint():
    def small_clip(y_true, y_pred):
        p = np.clip(y_pred, 1e-15, 1 - 1e-15)
        e = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))
        return e.mean(axis=-1) if e.ndim > 1 else e

    _fails(
        ex.check_binary_crossentropy(small_clip, verbose=False),
        "predictions of exactly 0 and 1",
        "value",
        "a smaller epsilon",
    )


def test_logsumexp_adding_the_max_once_per_term_gets_the_add_back_hint():
    def per_term(z):
        m = np.max(z, axis=-1, keepdims=True)
        return np.log(np.sum(np.exp(z - m) + m, axis=-1))

    _fails(ex.check_logsumexp(per_term, verbose=False), "a small vector", "value", "add it back once")
