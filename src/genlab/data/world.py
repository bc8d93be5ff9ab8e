"""Speech features of the WORLD vocoder (Morise et al. 2016) and their inverse, for voice conversion.

    analyze      waveform -> F0 (Hz, 0 where unvoiced), spectral envelope, aperiodicity (pyworld)
    synthesize   the same three -> waveform
    sp2mc/mc2sp  spectral envelope <-> mel-cepstrum of a chosen order (SPTK's definition, below)
    F0Stats, convert_f0   the log-Gaussian normalized F0 transform between two speakers

Mel-cepstrum. The envelope is a power spectrum |X(w)|^2 on ``fft_size // 2 + 1`` bins. Its
cepstrum c(m) is SPTK's minimum-phase one of the amplitude (log |X(z)| = sum_m c(m) z^-m):
c(0) = r(0) / 2 and c(m) = r(m) for m >= 1, where r is the real cepstrum of the log power
spectrum, irfft(log |X|^2). The frequency warping to the mel scale is SPTK's ``freqt`` with the
all-pass constant ``alpha`` (0.42 at 16 kHz, 0.455 at 22.05 kHz), a linear map of the cepstrum
that is computed once per (orders, alpha) as a matrix. This is what pysptk's ``sp2mc`` and
``mc2sp`` compute, so mel-cepstral distortion in dB is on the scale the voice conversion
literature reports.

pyworld is imported where it is used, so that the rest of genlab does not need it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from genlab.errors import DataError

FRAME_PERIOD_MS = 5.0
ALL_PASS_CONSTANTS = {8000: 0.31, 16000: 0.42, 22050: 0.455, 24000: 0.466, 44100: 0.53, 48000: 0.554}


def _pyworld() -> Any:
    try:
        with warnings.catch_warnings():  # pyworld imports pkg_resources, which warns that it is deprecated
            warnings.simplefilter("ignore", UserWarning)
            import pyworld
    except ImportError as err:  # pragma: no cover - an install without the voice extra
        raise DataError("speech features need pyworld: see docs/voice.md for how to install it") from err
    return pyworld


def all_pass_constant(sample_rate: int) -> float:
    """The mel-scale all-pass constant of the nearest listed sample rate (SPTK's usual values)."""
    nearest = min(ALL_PASS_CONSTANTS, key=lambda rate: abs(rate - sample_rate))
    return ALL_PASS_CONSTANTS[nearest]


@dataclass(frozen=True)
class WorldFeatures:
    """One utterance's frames: F0 (T,) in Hz with 0 where unvoiced, envelope (T, fft_size // 2 + 1)
    as power, aperiodicity (T, fft_size // 2 + 1) in [0, 1]."""

    f0: np.ndarray
    envelope: np.ndarray
    aperiodicity: np.ndarray
    sample_rate: int
    frame_period_ms: float = FRAME_PERIOD_MS

    @property
    def fft_size(self) -> int:
        return 2 * (self.envelope.shape[1] - 1)


def analyze(wave: np.ndarray, sample_rate: int, f0_floor: float = 71.0, f0_ceil: float = 800.0,
            frame_period_ms: float = FRAME_PERIOD_MS, f0_method: str = "dio") -> WorldFeatures:  # fmt: skip
    """WORLD analysis: F0 by DIO refined by StoneMask (``f0_method="dio"``) or by Harvest
    (``"harvest"``: fewer voicing errors, but it alone takes about 0.17 s per second of speech on
    one core, three times the rest of analysis and synthesis together), the envelope by
    CheapTrick, aperiodicity by D4C."""
    pw = _pyworld()
    x = np.ascontiguousarray(wave, dtype=np.float64)
    if f0_method == "dio":
        raw, times = pw.dio(x, sample_rate, f0_floor=f0_floor, f0_ceil=f0_ceil, frame_period=frame_period_ms)
        f0 = pw.stonemask(x, raw, times, sample_rate)
    elif f0_method == "harvest":
        f0, times = pw.harvest(x, sample_rate, f0_floor=f0_floor, f0_ceil=f0_ceil, frame_period=frame_period_ms)
    else:
        raise ValueError(f"unknown F0 method {f0_method!r}; choose dio or harvest")
    envelope = pw.cheaptrick(x, f0, times, sample_rate)
    aperiodicity = pw.d4c(x, f0, times, sample_rate)
    return WorldFeatures(f0, envelope, aperiodicity, sample_rate, frame_period_ms)


def synthesize(features: WorldFeatures) -> np.ndarray:
    """The waveform (float64) that WORLD synthesizes from ``features``."""
    pw = _pyworld()
    f = features
    return pw.synthesize(np.ascontiguousarray(f.f0, dtype=np.float64), np.ascontiguousarray(f.envelope, dtype=np.float64),
                         np.ascontiguousarray(f.aperiodicity, dtype=np.float64), f.sample_rate, f.frame_period_ms)  # fmt: skip


# --- mel-cepstrum ---------------------------------------------------------------------------


@lru_cache(maxsize=16)
def freqt_matrix(order_in: int, order_out: int, alpha: float) -> np.ndarray:
    """The (order_out + 1, order_in + 1) matrix of SPTK's ``freqt``: cepstrum warped by an all-pass
    of constant ``alpha`` (``alpha`` < 0 undoes ``-alpha``). Built by running SPTK's recursion on
    the unit vectors, since the warping is linear."""
    unit = np.eye(order_in + 1)  # columns: the unit cepstra
    out = np.zeros((order_out + 1, order_in + 1))
    b = 1.0 - alpha * alpha
    for i in range(order_in, -1, -1):
        previous = out.copy()
        out[0] = unit[i] + alpha * previous[0]
        if order_out >= 1:
            out[1] = b * previous[0] + alpha * previous[1]
        for j in range(2, order_out + 1):
            out[j] = previous[j - 1] + alpha * (previous[j] - out[j - 1])
    return out


def sp2mc(envelope: np.ndarray, order: int, alpha: float) -> np.ndarray:
    """Mel-cepstrum (..., order + 1) of power spectra (..., fft_size // 2 + 1)."""
    if np.any(envelope <= 0):
        raise DataError("a spectral envelope must be positive to take its logarithm")
    r = np.fft.irfft(np.log(envelope), axis=-1)
    half = r.shape[-1] // 2
    cepstrum = r[..., : half + 1].copy()
    cepstrum[..., 0] /= 2.0
    return cepstrum @ freqt_matrix(half, order, alpha).T


def mc2sp(mel_cepstrum: np.ndarray, alpha: float, fft_size: int) -> np.ndarray:
    """Power spectra (..., fft_size // 2 + 1) of mel-cepstra (..., order + 1): the inverse of :func:`sp2mc`
    up to the truncation to ``order``."""
    half = fft_size // 2
    cepstrum = mel_cepstrum @ freqt_matrix(mel_cepstrum.shape[-1] - 1, half, -alpha).T
    cepstrum[..., 0] *= 2.0
    r = np.concatenate([cepstrum, cepstrum[..., half - 1 : 0 : -1]], axis=-1)  # the even real cepstrum
    return np.exp(np.fft.rfft(r, axis=-1).real)


# --- F0 -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class F0Stats:
    """Mean and standard deviation of log F0 over a speaker's voiced frames."""

    log_mean: float
    log_std: float

    @classmethod
    def of(cls, contours: list[np.ndarray]) -> F0Stats:
        voiced = np.concatenate([c[c > 0] for c in contours]) if contours else np.empty(0)
        if len(voiced) < 2:
            raise DataError("a speaker's F0 statistics need voiced speech; these clips have none")
        logs = np.log(voiced)
        return cls(float(logs.mean()), float(logs.std()))


def convert_f0(f0: np.ndarray, source: F0Stats, target: F0Stats) -> np.ndarray:
    """The log-Gaussian normalized transform: each voiced frame's log F0 standardized by the
    source's statistics and rescaled by the target's; unvoiced frames (0) stay unvoiced."""
    out = np.zeros_like(f0, dtype=np.float64)
    voiced = f0 > 0
    z = (np.log(f0[voiced]) - source.log_mean) / source.log_std
    out[voiced] = np.exp(z * target.log_std + target.log_mean)
    return out
