"""Chapter 9 checkers: each passes the right answer and fails typical wrong ones with a
specific hint; a stub is reported as not attempted."""

import numpy as np
import pytest

from minnet.exercises.initialization import (
    TRUNCATED_STD,
    check_clip_by_global_norm,
    check_forward_variance,
    check_variance_scaling,
)

# ------------------------------------------------------------------ forward variance


def forward_variance(m0, fan_ins, weight_vars, activation):
    out, m = [], m0
    for n, v in zip(fan_ins, weight_vars):
        out.append(n * v * m)
        m = out[-1] / 2 if activation == "relu" else out[-1]
    return np.array(out)


def _relu_variance_not_moment(m0, fan_ins, weight_vars, activation):
    # the classic slip: Var(relu(z)) = Var(z) (1/2 - 1/(2 pi)) where E[relu(z)^2] is needed
    out, m = [], m0
    for n, v in zip(fan_ins, weight_vars):
        out.append(n * v * m)
        m = out[-1] * (0.5 - 0.5 / np.pi) if activation == "relu" else out[-1]
    return np.array(out)


def test_forward_variance_passes():
    result = check_forward_variance(forward_variance, verbose=False)
    assert result, result.message


def test_forward_variance_stub_not_attempted():
    def stub(m0, fan_ins, weight_vars, activation):
        raise NotImplementedError

    result = check_forward_variance(stub, verbose=False)
    assert not result and "NOT ATTEMPTED YET" in result.message


@pytest.mark.parametrize(("wrong", "words"), [
    (lambda m0, f, v, a: forward_variance(m0, f, v, "linear"), "Var(z)/2"),
    (lambda m0, f, v, a: forward_variance(m0 / 2 if a == "relu" else m0, f, v, a),
     "starts at layer 2"),
    (lambda m0, f, v, a: np.sqrt(forward_variance(m0, f, v, a)), "not standard deviations"),
    (lambda m0, f, v, a: forward_variance(m0, f, v, a)[-1], "array of length"),
    # E[f(z^l)^2] returned instead of Var(z^l): off by 1/2 everywhere, two possible causes
    (lambda m0, f, v, a: forward_variance(m0, f, v, a) / (2 if a == "relu" else 1),
     "you returned E[f(z^l)^2]"),
    (lambda m0, f, v, a: _relu_variance_not_moment(m0, f, v, a), "not its variance"),
])
def test_forward_variance_wrong_answers_get_specific_hints(wrong, words):
    result = check_forward_variance(wrong, verbose=False)
    assert not result
    assert "NOT ATTEMPTED" not in result.message
    assert words in result.message, result.message


# ------------------------------------------------------------------ variance scaling


def variance_scaling(shape, scale, mode, distribution, rng):
    fan_in, fan_out = shape
    fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    var = scale / fan
    if distribution == "uniform":
        limit = np.sqrt(3 * var)
        return rng.uniform(-limit, limit, shape)
    std = np.sqrt(var) / TRUNCATED_STD
    w = rng.standard_normal(shape)
    bad = np.abs(w) > 2
    while bad.any():
        w[bad] = rng.standard_normal(bad.sum())
        bad = np.abs(w) > 2
    return w * std


def test_variance_scaling_passes():
    result = check_variance_scaling(variance_scaling, verbose=False)
    assert result, result.message


def test_variance_scaling_stub_not_attempted():
    def stub(shape, scale, mode, distribution, rng):
        raise NotImplementedError

    result = check_variance_scaling(stub, verbose=False)
    assert not result and "NOT ATTEMPTED YET" in result.message


def _no_correction(shape, scale, mode, distribution, rng):
    w = variance_scaling(shape, scale, mode, distribution, rng)
    return w * TRUNCATED_STD if distribution == "truncated_normal" else w


def _limit_without_3(shape, scale, mode, distribution, rng):
    w = variance_scaling(shape, scale, mode, distribution, rng)
    return w / np.sqrt(3) if distribution == "uniform" else w


def _always_fan_in(shape, scale, mode, distribution, rng):
    return variance_scaling(shape, scale, "fan_in", distribution, rng)


def _plain_normal(shape, scale, mode, distribution, rng):
    if distribution == "uniform":
        return variance_scaling(shape, scale, mode, distribution, rng)
    fan = {"fan_in": shape[0], "fan_out": shape[1], "fan_avg": sum(shape) / 2}[mode]
    return rng.normal(0, np.sqrt(scale / fan), shape)


def _normal_for_uniform(shape, scale, mode, distribution, rng):
    return variance_scaling(shape, scale, mode, "truncated_normal", rng)


def _fan_avg_as_sum(shape, scale, mode, distribution, rng):
    if mode == "fan_avg":
        scale = scale / 2  # divides by fan_in + fan_out
    return variance_scaling(shape, scale, mode, distribution, rng)


def _clipped_not_truncated(shape, scale, mode, distribution, rng):
    if distribution == "uniform":
        return variance_scaling(shape, scale, mode, distribution, rng)
    fan = {"fan_in": shape[0], "fan_out": shape[1], "fan_avg": sum(shape) / 2}[mode]
    std = np.sqrt(scale / fan) / TRUNCATED_STD
    return np.clip(rng.standard_normal(shape), -2, 2) * std


@pytest.mark.parametrize(("wrong", "words"), [
    (_no_correction, "0.87962566103423978"),
    (_limit_without_3, "r^2/3"),
    (_always_fan_in, "mode='fan_in'"),
    (_plain_normal, "Truncate"),
    (_normal_for_uniform, "uniform distribution, not a normal"),
    (_fan_avg_as_sum, "not by their sum"),
    (_clipped_not_truncated, "Truncating is not clipping"),
    (lambda shape, scale, mode, distribution, rng: np.zeros(shape), "variance"),
    (lambda shape, scale, mode, distribution, rng: rng.uniform(0, 1, shape), "mean"),
    (lambda shape, scale, mode, distribution, rng: np.zeros(shape[::-1]), "shape"),
])
def test_variance_scaling_wrong_answers_fail_with_hints(wrong, words):
    result = check_variance_scaling(wrong, verbose=False)
    assert not result
    assert "NOT ATTEMPTED" not in result.message
    assert words in result.message, result.message


# ------------------------------------------------------------------ global-norm clipping


def clip_by_global_norm(grads, clip_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    if norm <= clip_norm:
        return [g.copy() for g in grads]
    return [g * (clip_norm / norm) for g in grads]


def test_clip_passes():
    result = check_clip_by_global_norm(clip_by_global_norm, verbose=False)
    assert result, result.message


def test_clip_stub_not_attempted():
    def stub(grads, clip_norm):
        raise NotImplementedError

    result = check_clip_by_global_norm(stub, verbose=False)
    assert not result and "NOT ATTEMPTED YET" in result.message


def _per_array(grads, clip_norm):
    out = []
    for g in grads:
        n = np.linalg.norm(g)
        out.append(g * clip_norm / n if n > clip_norm else g)
    return out


def _always_scale(grads, clip_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    return [g * (clip_norm / norm) for g in grads]


def _in_place(grads, clip_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    if norm > clip_norm:
        for g in grads:
            g *= clip_norm / norm
    return grads


@pytest.mark.parametrize(("wrong", "words"), [
    (_per_array, "each array by its own norm"),
    (lambda grads, c: [np.clip(g, -c, c) for g in grads], "clipvalue"),
    (_always_scale, "clipping only ever shrinks"),
    (lambda grads, c: None, "None"),
    # right values, wrong structure: one flat array, or arrays that lost their shapes
    (lambda grads, c: np.concatenate([g.ravel() for g in clip_by_global_norm(grads, c)]),
     "not a list of arrays"),
    (lambda grads, c: [g.ravel() for g in clip_by_global_norm(grads, c)], "has shape"),
])
def test_clip_wrong_answers_fail_with_hints(wrong, words):
    result = check_clip_by_global_norm(wrong, verbose=False)
    assert not result
    assert words in result.message, result.message


def test_clip_in_place_is_rejected():
    # the statement forbids changing the caller's arrays
    result = check_clip_by_global_norm(_in_place, verbose=False)
    assert not result
    assert "in place" in result.message, result.message
