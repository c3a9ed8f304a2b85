"""Chapter 8 checkers: right answers pass, typical wrong ones fail with their hint, stubs
are not attempted yet."""

import numpy as np
import pytest

from minnet.exercises.overfitting import (
    check_inverted_dropout,
    check_kfold,
    check_l2_from_nielsen,
)


def stub(*args):
    raise NotImplementedError


def test_stubs_are_reported_as_not_attempted(capsys):
    from minnet.exercises.overfitting import check_early_stopping

    for check in (check_l2_from_nielsen, check_inverted_dropout, check_kfold,
                  check_early_stopping):
        result = check(stub)
        assert not result
        assert result.message.startswith("NOT ATTEMPTED YET")
    out = capsys.readouterr().out
    assert out.count("NOT ATTEMPTED YET") == 4 and "FAIL" not in out


# ------------------------------------------------------------------ L2 conversion


def test_l2_conversion_passes():
    result = check_l2_from_nielsen(lambda lmbda, n: lmbda / (2 * n), verbose=False)
    assert result, result.message


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda lmbda, n: lmbda, "pasted Nielsen's lambda unchanged"),
        (lambda lmbda, n: lmbda / n, "has no 1/2"),
        (lambda lmbda, n: lmbda / 2, "N must appear"),
        (lambda lmbda, n: 2 * lmbda / n, "solve 2 l2 = lambda/N"),
        (lambda lmbda, n: lmbda * n / 2, "do not multiply"),
        (lambda lmbda, n: lmbda / (3 * n), "set them equal"),
    ],
)
def test_l2_conversion_mistakes_get_their_hint(wrong, hint):
    result = check_l2_from_nielsen(wrong, verbose=False)
    assert not result
    assert hint in result.message


def test_l2_conversion_scalar_only_gets_the_array_hint():
    result = check_l2_from_nielsen(lambda lmbda, n: float(lmbda) / (2 * n), verbose=False)
    assert not result and result.failure.kind == "exception"
    assert "array of strengths" in result.message


def test_l2_conversion_never_prints_the_answer(capsys):
    check_l2_from_nielsen(lambda lmbda, n: lmbda)
    out = capsys.readouterr().out
    assert out.startswith("FAIL L2 conversion")
    assert "lambda / (2 * n)" not in out


# -------------------------------------------------------------------- dropout


def dropout(x, rate, u):
    return np.where(u < 1 - rate, x / (1 - rate), 0).astype(x.dtype)


def test_dropout_passes():
    result = check_inverted_dropout(dropout, verbose=False)
    assert result, result.message


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda x, rate, u: np.where(u < 1 - rate, x, 0), "Without scaling"),
        (lambda x, rate, u: np.where(u < 1 - rate, x * (1 - rate), 0), "shrinks them further"),
        (lambda x, rate, u: np.where(u < 1 - rate, x / rate, 0), "not by the dropout rate"),
        (lambda x, rate, u: np.where(u < rate, x / (1 - rate), 0), "fraction of units to DROP"),
        (lambda x, rate, u: np.where(u >= rate, x / (1 - rate), 0), "other mask"),
    ],
)
def test_dropout_mistakes_get_their_hint(wrong, hint):
    result = check_inverted_dropout(wrong, verbose=False)
    assert not result
    assert hint in result.message


def test_dropout_float64_constant_upcasts_and_fails_on_dtype():
    def upcast(x, rate, u):
        return np.where(u < 1 - rate, x / np.float64(1 - rate), np.float64(0.0))

    result = check_inverted_dropout(upcast, verbose=False)
    assert not result
    assert "float32" in result.message and result.failure.kind == "dtype"


def test_dropout_in_place_change_fails():
    def in_place(x, rate, u):
        x[u >= 1 - rate] = 0
        x /= 1 - rate
        return x

    result = check_inverted_dropout(in_place, verbose=False)
    assert not result and result.failure.kind == "mutation"
    assert "x.copy()" in result.message and "z.copy()" not in result.message


# -------------------------------------------------------------------- k-fold


def kfold(n, k):
    folds = np.array_split(np.arange(n), k)
    return [(np.setdiff1d(np.arange(n), val), val) for val in folds]


def kfold_shuffled(n, k):
    order = np.random.default_rng(0).permutation(n)
    return [(np.setdiff1d(order, val), val) for val in np.array_split(order, k)]


@pytest.mark.parametrize("right", [kfold, kfold_shuffled])
def test_kfold_passes(right):
    result = check_kfold(right, verbose=False)
    assert result, result.message


def kfold_drops_remainder(n, k):
    size = n // k
    idx = np.arange(n)
    return [(np.setdiff1d(idx, idx[i * size:(i + 1) * size]), idx[i * size:(i + 1) * size])
            for i in range(k)]


def kfold_leaks(n, k):
    return [(np.arange(n), val) for val in np.array_split(np.arange(n), k)]


def kfold_forgets_training(n, k):
    vals = np.array_split(np.arange(n), k)
    return [(vals[(i + 1) % k], val) for i, val in enumerate(vals)]


def kfold_masks(n, k):
    out = []
    for val in np.array_split(np.arange(n), k):
        mask = np.zeros(n, dtype=bool)
        mask[val] = True
        out.append((~mask, mask))
    return out


def kfold_uneven(n, k):
    idx = np.arange(n)
    size = n // k
    vals = [idx[i * size:(i + 1) * size] for i in range(k - 1)] + [idx[(k - 1) * size:]]
    return [(np.setdiff1d(idx, v), v) for v in vals]


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (kfold_drops_remainder, "np.array_split"),
        (kfold_leaks, "leakage"),
        (kfold_forgets_training, "every other example"),
        (kfold_masks, "integer index arrays"),
        (kfold_uneven, "as equal as possible"),
        (lambda n, k: None, "return"),
        (lambda n, k: kfold(n, k)[:-1], "k pairs"),
    ],
)
def test_kfold_mistakes_get_their_hint(wrong, hint):
    result = check_kfold(wrong, verbose=False)
    assert not result
    assert hint in result.message


def test_kfold_not_implemented_after_a_passing_case_is_a_failure():
    def partial(n, k):
        if n % k:
            raise NotImplementedError("uneven folds")
        return kfold(n, k)

    result = check_kfold(partial, verbose=False)
    assert not result and result.message.startswith("FAIL")


# ------------------------------------------------------------------ early stopping

from minnet.exercises.overfitting import check_early_stopping  # noqa: E402


def early_stopping(val_losses, patience):
    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch
    return len(val_losses), best_epoch


def test_early_stopping_passes():
    result = check_early_stopping(early_stopping, verbose=False)
    assert result, result.message


def test_early_stopping_matches_minnet_callback():
    import minnet
    from minnet.callbacks import EarlyStopping

    losses = [1.0, 0.8, 0.7, 0.7, 0.75, 0.72, 0.71, 0.9, 0.6]
    es = EarlyStopping(patience=3)
    es.set_model(minnet.Sequential())
    es.on_train_begin()
    run = len(losses)
    for epoch, loss in enumerate(losses):
        es.on_epoch_end(epoch, {"val_loss": loss})
        if es.model.stop_training:
            run = epoch + 1
            break
    assert early_stopping(losses, 3) == (run, es.best_epoch + 1)


def _ties_improve(val_losses, patience):
    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss <= best:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch
    return len(val_losses), best_epoch


def _zero_based(val_losses, patience):
    run, best = early_stopping(val_losses, patience)
    return run, best - 1


def _late(val_losses, patience):
    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait > patience:
                return epoch, best_epoch
    return len(val_losses), best_epoch


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [(_ties_improve, "strictly smaller"), (_zero_based, "Count epochs from 1"),
     (_late, "one epoch late")],
)
def test_early_stopping_mistakes_get_their_hint(wrong, hint):
    result = check_early_stopping(wrong, verbose=False)
    assert not result
    assert hint in result.message
