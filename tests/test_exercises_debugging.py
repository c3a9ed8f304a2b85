"""Chapter 10 checkers: right answers pass, typical wrong answers fail with a specific hint,
stubs are reported as not attempted."""

import numpy as np
import pytest

import minnet
from minnet.exercises.debugging import check_clip_by_norm, check_update_ratio


def update_ratio(w_before, w_after):
    return float(np.linalg.norm(w_after - w_before) / np.linalg.norm(w_before))


def clip_by_norm(g, clipnorm):
    norm = float(np.linalg.norm(g))
    return g * (clipnorm / norm) if norm > clipnorm else g.copy()


def stub(*args):
    raise NotImplementedError


def test_update_ratio_passes():
    result = check_update_ratio(update_ratio, verbose=False)
    assert result, result.message


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda a, b: np.linalg.norm(b - a) / np.linalg.norm(b), "norm of the new weights"),
        (lambda a, b: np.linalg.norm(a) / np.linalg.norm(b - a), "upside down"),
        (lambda a, b: np.sum((b - a) ** 2) / np.sum(a ** 2), "squared norms"),
        (lambda a, b: np.mean(np.abs(b - a) / np.abs(a)), "entry-by-entry"),
        (lambda a, b: np.mean(np.abs(b - a)) / np.mean(np.abs(a)), "Mean absolute"),
        (lambda a, b: (np.linalg.norm(b) - np.linalg.norm(a)) / np.linalg.norm(a),
         "difference of the norms"),
        (lambda a, b: np.linalg.norm(b - a, 2) / np.linalg.norm(a, 2), "spectral norm"),
    ],
)
def test_update_ratio_wrong_answers_get_their_hint(wrong, hint):
    result = check_update_ratio(wrong, verbose=False)
    assert not result
    assert hint in result.message, result.message


def test_update_ratio_array_answer_fails_on_shape():
    result = check_update_ratio(lambda a, b: np.abs(b - a) / np.abs(a), verbose=False)
    assert not result and "one number" in result.message


def test_update_ratio_stub_is_not_attempted():
    result = check_update_ratio(stub, verbose=False)
    assert not result and "NOT ATTEMPTED YET" in result.message and "Hint" not in result.message


def test_clip_by_norm_passes_and_matches_minnets_optimizer():
    result = check_clip_by_norm(clip_by_norm, verbose=False)
    assert result, result.message
    opt = minnet.optimizers.SGD(1.0, clipnorm=2.0)
    g = np.random.default_rng(0).normal(size=(4, 3)) * 10
    w = np.zeros((4, 3))
    opt.apply([w], [g.copy()])
    np.testing.assert_allclose(-w, clip_by_norm(g, 2.0), rtol=1e-12)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda g, c: np.clip(g, -c, c), "clipvalue"),
        (lambda g, c: g * c / np.linalg.norm(g), "also the short ones"),
        (lambda g, c: g / np.linalg.norm(g) if np.linalg.norm(g) > c else g, "norm 1"),
        (lambda g, c: g * (c / np.sum(np.abs(g))) if np.sum(np.abs(g)) > c else g, "L1 norm"),
        (lambda g, c: g * (c / np.sum(g ** 2)) if np.sum(g ** 2) > c else g, "squared norm"),
    ],
)
def test_clip_by_norm_wrong_answers_get_their_hint(wrong, hint):
    result = check_clip_by_norm(wrong, verbose=False)
    assert not result
    assert hint in result.message, result.message


def test_clip_by_norm_in_place_and_dtype_mistakes_fail():
    def in_place(g, c):
        norm = np.linalg.norm(g)
        if norm > c:
            g *= c / norm
        return g

    result = check_clip_by_norm(in_place, verbose=False)
    assert not result and "in place" in result.message

    def upcasts(g, c):
        norm = np.linalg.norm(g.astype(np.float64))
        return g * np.float64(min(1.0, c / norm))

    result = check_clip_by_norm(upcasts, verbose=False)
    assert not result and "float32" in result.message


def test_clip_by_norm_stub_is_not_attempted():
    result = check_clip_by_norm(stub, verbose=False)
    assert not result and "NOT ATTEMPTED YET" in result.message


def _clip_in_place(g, clipnorm):
    norm = np.linalg.norm(g)
    if norm > clipnorm:
        g *= clipnorm / norm
    return g


def test_clip_by_norm_in_place_fails_with_its_hint():
    result = check_clip_by_norm(_clip_in_place, verbose=False)
    assert not result and "g *= factor" in result.message, result.message


def test_clip_by_norm_returning_g_itself_fails():
    """The statement asks for a new array; returning the short gradient itself is rejected."""
    def returns_g(g, clipnorm):
        norm = float(np.linalg.norm(g))
        return g * (clipnorm / norm) if norm > clipnorm else g

    result = check_clip_by_norm(returns_g, verbose=False)
    assert not result and "g.copy()" in result.message, result.message
    assert result.failure.case == "a vector shorter than clipnorm"
