"""Audio in and out: mixdown, resampling, trimming, loudness, and errors that name the file."""

from __future__ import annotations

import numpy as np
import pytest

from genlab.data.audio import load_audio, normalize_loudness, resample, save_audio, trim_silence
from genlab.errors import DataError

soundfile = pytest.importorskip("soundfile")


def tone(freq: float, seconds: float, rate: int) -> np.ndarray:
    return 0.5 * np.sin(2 * np.pi * freq * np.arange(int(seconds * rate)) / rate)


def peak_frequency(wave: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(wave * np.hanning(len(wave))))
    return float(np.fft.rfftfreq(len(wave), 1 / rate)[spectrum.argmax()])


def test_stereo_is_mixed_down_and_resampled(tmp_path):
    left, right = tone(440, 1.0, 22050), tone(440, 1.0, 22050) * 0.5
    soundfile.write(tmp_path / "s.wav", np.column_stack([left, right]), 22050)
    wave = load_audio(tmp_path / "s.wav", 16000)
    assert len(wave) == 16000
    assert peak_frequency(wave, 16000) == pytest.approx(440, abs=2)
    assert np.abs(wave).max() == pytest.approx(0.375, rel=0.02)  # the mean of the channels


def test_flac_and_ogg_read_like_wav(tmp_path):
    for suffix in ("flac", "ogg"):
        soundfile.write(tmp_path / f"t.{suffix}", tone(300, 0.5, 16000), 16000)
        assert peak_frequency(load_audio(tmp_path / f"t.{suffix}", 16000), 16000) == pytest.approx(300, abs=3)


def test_save_then_load_round_trips_within_16_bit_precision(tmp_path):
    wave = tone(200, 0.3, 16000)
    save_audio(tmp_path / "o.wav", wave, 16000)
    np.testing.assert_allclose(load_audio(tmp_path / "o.wav", 16000), wave, atol=1 / 32768)
    assert not list(tmp_path.glob("*.tmp*"))


@pytest.mark.parametrize(("content", "message"), [(b"not audio at all", "not audio"), (None, "no such")])
def test_unreadable_files_are_named(tmp_path, content, message):
    path = tmp_path / "bad.wav"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataError, match=message) as err:
        load_audio(path, 16000)
    assert "bad.wav" in str(err.value)


def test_silence_only_is_refused(tmp_path):
    soundfile.write(tmp_path / "z.wav", np.zeros(1000), 16000)
    with pytest.raises(DataError, match="silent"):
        load_audio(tmp_path / "z.wav", 16000)


def test_resampling_keeps_the_pitch_and_refuses_impossible_rates():
    out = resample(tone(1000, 1.0, 44100), 44100, 16000)
    assert len(out) == 16000 and peak_frequency(out, 16000) == pytest.approx(1000, abs=2)
    with pytest.raises(DataError, match="sample rates must be positive"):
        resample(np.ones(10), 0, 16000)
    with pytest.raises(DataError, match="common ratio"):
        resample(np.ones(10), 16001, 44099)


def test_trim_cuts_leading_and_trailing_silence_only():
    rate = 16000
    quiet = np.zeros(rate // 2)
    wave = np.concatenate([quiet, tone(300, 1.0, rate), quiet])
    trimmed = trim_silence(wave, rate)
    assert 1.0 <= len(trimmed) / rate <= 1.05  # at most one 25 ms frame of margin on each side


def test_loudness_normalization_hits_the_target_without_clipping():
    wave = tone(300, 1.0, 16000) * 0.01
    out = normalize_loudness(wave, -20.0)
    assert 20 * np.log10(np.sqrt(np.mean(out**2))) == pytest.approx(-20.0, abs=1e-9)
    spiky = np.zeros(1000)
    spiky[0] = 0.5
    assert np.abs(normalize_loudness(spiky, -3.0)).max() <= 0.999


def test_a_rate_that_cannot_be_resampled_names_the_file(tmp_path):
    soundfile.write(tmp_path / "odd.wav", tone(300, 0.2, 44099), 44099)
    with pytest.raises(DataError, match="odd.wav.*common ratio"):
        load_audio(tmp_path / "odd.wav", 16001)
