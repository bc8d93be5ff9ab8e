"""Speech audio in and out: mono float64 waveforms in [-1, 1] at a chosen sample rate.

    load_audio        WAV, FLAC or OGG from a file; stereo mixed down, resampled, checked
    resample          polyphase resampling by the exact rational ratio of two integer rates
    trim_silence      leading and trailing frames more than ``top_db`` below the loudest frame cut
    normalize_loudness  scaled to an RMS level in dBFS, never past full scale
    save_audio        16-bit PCM WAV, written atomically

soundfile (libsndfile) reads and writes; it is imported where it is used, so that the rest of
genlab does not need it.
"""

from __future__ import annotations

from math import gcd
from pathlib import Path
from typing import Any

import numpy as np

from genlab.errors import DataError
from genlab.io import write_atomically

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg")


def _soundfile() -> Any:
    try:
        import soundfile
    except ImportError as err:  # pragma: no cover - an install without the voice extra
        raise DataError("reading audio needs soundfile: pip install 'genlab[voice]'") from err
    return soundfile


def load_audio(path: str | Path, sample_rate: int) -> np.ndarray:
    """The waveform of an audio file as mono float64 at ``sample_rate``.

    Stereo (or more channels) is mixed down by the mean of the channels. An unreadable file, an
    empty one, or one that holds only digital silence is a DataError that names the file.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise DataError(f"{path}: no such audio file")
    soundfile = _soundfile()
    try:
        wave, rate = soundfile.read(str(path), dtype="float64", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError) as err:
        raise DataError(f"{path} is not audio that can be read (WAV, FLAC or OGG): {err}") from err
    wave = wave.mean(axis=1)
    if wave.size == 0:
        raise DataError(f"{path} holds no samples")
    if not np.any(wave):
        raise DataError(f"{path} is silent (every sample is zero)")
    try:
        return resample(wave, int(rate), sample_rate)
    except DataError as err:
        raise DataError(f"{path}: {err}") from None


def resample(wave: np.ndarray, rate: int, target: int) -> np.ndarray:
    """``wave`` at ``rate`` Hz resampled to ``target`` Hz (scipy's polyphase filter, Kaiser window)."""
    if rate <= 0 or target <= 0:
        raise DataError(f"cannot resample from {rate} Hz to {target} Hz: sample rates must be positive")
    if rate == target:
        return np.ascontiguousarray(wave, dtype=np.float64)
    from scipy.signal import resample_poly

    common = gcd(rate, target)
    up, down = target // common, rate // common
    if max(up, down) > 10_000:  # the filter would have millions of taps
        raise DataError(f"cannot resample from {rate} Hz to {target} Hz: the rates have no small common ratio")
    return np.ascontiguousarray(resample_poly(wave, up, down), dtype=np.float64)


def frame_energy_db(wave: np.ndarray, frame: int, hop: int) -> np.ndarray:
    """Energy in dB (10 log10 of the mean square) of frames of ``frame`` samples every ``hop``."""
    if len(wave) < frame:
        wave = np.pad(wave, (0, frame - len(wave)))
    starts = np.arange(0, len(wave) - frame + 1, hop)
    frames = np.lib.stride_tricks.sliding_window_view(wave, frame)[starts]
    return 10 * np.log10(np.mean(frames**2, axis=1) + 1e-20)


def trim_silence(wave: np.ndarray, sample_rate: int, top_db: float = 40.0, frame_ms: float = 25.0) -> np.ndarray:
    """``wave`` without its leading and trailing frames quieter than the loudest frame by more than ``top_db``."""
    frame = max(1, int(sample_rate * frame_ms / 1000))
    hop = max(1, frame // 4)
    energy = frame_energy_db(wave, frame, hop)
    loud = np.flatnonzero(energy >= energy.max() - top_db)
    return wave[loud[0] * hop : min(len(wave), loud[-1] * hop + frame)]


def normalize_loudness(wave: np.ndarray, target_dbfs: float = -23.0) -> np.ndarray:
    """``wave`` scaled to an RMS of ``target_dbfs`` dB below full scale, or less where a peak would clip."""
    rms = float(np.sqrt(np.mean(wave**2)))
    if rms == 0.0:
        raise DataError("cannot normalize the loudness of silence")
    gain = 10 ** (target_dbfs / 20) / rms
    peak = float(np.max(np.abs(wave)))
    return wave * min(gain, 0.999 / peak)


def save_audio(path: str | Path, wave: np.ndarray, sample_rate: int) -> Path:
    """``wave`` (float, [-1, 1]) as a 16-bit PCM WAV at ``path``; a reader never sees half a file."""
    soundfile = _soundfile()
    clipped = np.clip(np.asarray(wave, dtype=np.float64), -1.0, 1.0)
    return write_atomically(path, lambda tmp: soundfile.write(str(tmp), clipped, sample_rate, subtype="PCM_16", format="WAV"))
