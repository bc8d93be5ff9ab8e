"""WORLD features and the mel-cepstrum: hand-computed cepstra, the mel warping's frequency map,
a resynthesis round trip on a synthetic vowel, and the F0 transform's statistics."""

from __future__ import annotations

import numpy as np
import pytest

from genlab.data.world import F0Stats, all_pass_constant, convert_f0, freqt_matrix, mc2sp, sp2mc
from genlab.errors import DataError

FFT = 1024
W = np.linspace(0, np.pi, FFT // 2 + 1)


def envelope_of(cepstrum: np.ndarray, frequencies: np.ndarray = W) -> np.ndarray:
    """The power spectrum exp(2 log|X(w)|) of a minimum-phase cepstrum: log|X(w)| = sum_m c(m) cos(m w)."""
    m = np.arange(len(cepstrum))
    return np.exp(2 * np.cos(np.outer(frequencies, m)) @ cepstrum)


def test_sp2mc_without_warping_gives_back_the_cepstrum_that_made_the_envelope():
    c = np.array([0.3, -0.8, 0.25, 0.1])
    np.testing.assert_allclose(sp2mc(envelope_of(c), order=3, alpha=0.0), c, atol=1e-10)
    np.testing.assert_allclose(sp2mc(envelope_of(c), order=6, alpha=0.0)[4:], 0.0, atol=1e-10)


def test_the_mel_cepstrum_is_the_log_spectrum_on_the_warped_frequency_axis():
    alpha = 0.42
    log_amplitude = 0.5 * np.log(envelope_of(np.array([0.2, -0.5, 0.3, -0.1, 0.05])))
    mc = sp2mc(np.exp(2 * log_amplitude), order=60, alpha=alpha)
    # the all-pass maps linear frequency w to warped b(w); the mel-cepstrum's response at b(w) is log|X(w)|
    warped = W + 2 * np.arctan(alpha * np.sin(W) / (1 - alpha * np.cos(W)))
    response = np.cos(np.outer(warped, np.arange(61))) @ mc
    np.testing.assert_allclose(response, log_amplitude, atol=1e-3)


def test_mc2sp_undoes_sp2mc_on_a_smooth_envelope():
    envelope = envelope_of(np.array([1.0, -0.7, 0.3, 0.2, -0.1, 0.05]))
    for alpha in (0.0, 0.42):
        back = mc2sp(sp2mc(envelope, order=40, alpha=alpha), alpha, FFT)
        np.testing.assert_allclose(np.log(back), np.log(envelope), atol=2e-3)


def test_warping_by_alpha_then_minus_alpha_is_the_identity_at_high_order():
    forward, back = freqt_matrix(10, 80, 0.42), freqt_matrix(80, 10, -0.42)
    np.testing.assert_allclose(back @ forward, np.eye(11), atol=1e-6)


def test_a_non_positive_envelope_is_refused():
    with pytest.raises(DataError, match="positive"):
        sp2mc(np.zeros((2, 513)), 24, 0.42)


def test_all_pass_constants_are_sptks_for_common_rates():
    assert all_pass_constant(16000) == 0.42
    assert all_pass_constant(22050) == 0.455
    assert all_pass_constant(16001) == 0.42


def test_the_f0_transform_gives_the_target_speakers_log_f0_statistics_exactly():
    rng = np.random.default_rng(0)
    source = [np.where(rng.random(200) < 0.3, 0.0, rng.lognormal(np.log(110), 0.15, 200)) for _ in range(3)]
    target = F0Stats(log_mean=float(np.log(210)), log_std=0.22)
    converted = [convert_f0(f0, F0Stats.of(source), target) for f0 in source]
    got = F0Stats.of(converted)
    assert got.log_mean == pytest.approx(target.log_mean, abs=1e-12)
    assert got.log_std == pytest.approx(target.log_std, abs=1e-12)
    for before, after in zip(source, converted):
        np.testing.assert_array_equal(before == 0, after == 0)  # unvoiced frames stay unvoiced


def test_f0_statistics_of_unvoiced_speech_are_refused():
    with pytest.raises(DataError, match="voiced"):
        F0Stats.of([np.zeros(50)])


VOWEL_A = ((730, 90), (1090, 110), (2440, 170))  # formants (Hz) and bandwidths of /a/
VOWEL_I = ((270, 60), (2290, 100), (3010, 120))  # and of /i/


def vowel(f0: float = 120.0, formants=VOWEL_A, seconds: float = 1.0, rate: int = 16000) -> np.ndarray:
    """A synthetic vowel: a pulse train at ``f0`` through formant resonators."""
    from scipy.signal import lfilter

    x = np.zeros(int(seconds * rate))
    x[:: int(rate / f0)] = 1.0
    for formant, bandwidth in formants:
        r = np.exp(-np.pi * bandwidth / rate)
        x = lfilter([1.0], [1.0, -2 * r * np.cos(2 * np.pi * formant / rate), r * r], x)
    return 0.3 * x / np.abs(x).max()


def test_world_resynthesis_of_a_vowel_keeps_its_pitch_and_envelope():
    pytest.importorskip("pyworld")
    from genlab.data.world import analyze, synthesize
    from genlab.evaluate.speech import mel_cepstral_distortion

    rate = 16000
    wave = vowel(120.0)
    features = analyze(wave, rate)
    middle = features.f0[40:-40]
    assert np.all(middle > 0) and np.median(middle) == pytest.approx(120.0, rel=0.03)
    again = analyze(synthesize(features), rate)
    alpha = all_pass_constant(rate)
    mc, mc_again = sp2mc(features.envelope, 24, alpha), sp2mc(again.envelope, 24, alpha)
    resynthesized = mel_cepstral_distortion(mc, mc_again)
    other_vowel = mel_cepstral_distortion(mc, sp2mc(analyze(vowel(120.0, VOWEL_I), rate).envelope, 24, alpha))
    assert resynthesized < 1.5 and other_vowel > 4 * resynthesized, (resynthesized, other_vowel)
