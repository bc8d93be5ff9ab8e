"""Mel-cepstral distortion and DTW against hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from genlab.evaluate.speech import Aligned, align, dtw_path, f0_error, loud_frames, mel_cepstral_distortion


def test_mcd_of_one_frame_pair_by_hand():
    a = np.array([[5.0, 1.0, 0.0, 0.0]])
    b = np.array([[-3.0, 0.0, 0.0, 0.0]])  # c0 differs too, and does not count
    pair = Aligned(np.array([0]), np.array([0]))
    assert mel_cepstral_distortion(a, b, aligned=pair) == pytest.approx(10 / np.log(10) * np.sqrt(2.0))
    c = np.array([[0.0, 0.3, -0.4, 0.0]])
    assert mel_cepstral_distortion(c, b, aligned=pair) == pytest.approx(10 / np.log(10) * np.sqrt(2 * 0.25))


def test_dtw_recovers_a_known_warping():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(30, 1))
    repeats = rng.integers(1, 4, size=30)  # each frame of a held 1 to 3 times
    b = np.repeat(a, repeats, axis=0)
    rows, cols = dtw_path(np.abs(a - b.T))
    np.testing.assert_array_equal(rows, np.repeat(np.arange(30), repeats))
    np.testing.assert_array_equal(cols, np.arange(len(b)))


def test_dtw_path_is_monotone_and_takes_unit_steps():
    rng = np.random.default_rng(1)
    rows, cols = dtw_path(rng.random((17, 23)))
    assert (rows[0], cols[0], rows[-1], cols[-1]) == (0, 0, 16, 22)
    steps = set(zip(np.diff(rows).tolist(), np.diff(cols).tolist()))
    assert steps <= {(1, 0), (0, 1), (1, 1)}


def test_a_sentence_said_slower_has_no_distortion_and_silence_is_left_out():
    rng = np.random.default_rng(2)
    speech = np.column_stack([np.full(40, 2.0), rng.normal(size=(40, 24))])
    silence = np.column_stack([np.full(10, -6.0), rng.normal(size=(10, 24))])  # c0 52 dB down: silent
    slow = np.repeat(speech, 2, axis=0)
    assert mel_cepstral_distortion(np.vstack([silence, speech]), np.vstack([slow, silence])) == pytest.approx(0.0, abs=1e-12)
    assert loud_frames(np.array([2.0, -6.0, 1.0]), 40.0).tolist() == [True, False, True]


def test_f0_error_on_frames_voiced_in_both():
    pair = Aligned(np.arange(4), np.arange(4))
    got = f0_error(np.array([100.0, 0.0, 120.0, 140.0]), np.array([110.0, 150.0, 130.0, 150.0]), pair)
    assert got["voiced_frames"] == 3
    assert got["f0_rmse_hz"] == pytest.approx(10.0)
    assert got["f0_corr"] == pytest.approx(1.0)


def test_alignment_pairs_indices_of_the_original_frames():
    rng = np.random.default_rng(3)
    a = np.column_stack([np.full(12, 1.0), rng.normal(size=(12, 5))])
    quiet = np.column_stack([np.full(3, -9.0), rng.normal(size=(3, 5))])
    pair = align(np.vstack([quiet, a]), a)
    np.testing.assert_array_equal(pair.rows, np.arange(3, 15))
    np.testing.assert_array_equal(pair.cols, np.arange(12))


def test_word_error_rate_by_hand():
    from genlab.evaluate.speech import word_error_rate

    assert word_error_rate("The red box.", "the red box") == 0.0
    assert word_error_rate("the red box", "the bed box") == pytest.approx(1 / 3)  # one substitution
    assert word_error_rate("the red box", "the box") == pytest.approx(1 / 3)  # one deletion
    assert word_error_rate("the red box", "the red big box now") == pytest.approx(2 / 3)  # two insertions
    assert word_error_rate("a b", "") == 1.0
    with pytest.raises(ValueError, match="reference"):
        word_error_rate("", "a")
