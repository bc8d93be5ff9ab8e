"""speech: sources: options, segments of mel-cepstra, the held-out utterances, the feature cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from genlab.data.registry import get_source
from genlab.data.speech import Speech
from genlab.errors import DataError

pytest.importorskip("pyworld")
soundfile = pytest.importorskip("soundfile")


def vowel(f0: float, seconds: float = 1.0, rate: int = 16000) -> np.ndarray:
    from scipy.signal import lfilter

    x = np.zeros(int(seconds * rate))
    x[:: int(rate / f0)] = 1.0
    for formant, bandwidth in ((730, 90), (1090, 110), (2440, 170)):
        r = np.exp(-np.pi * bandwidth / rate)
        x = lfilter([1.0], [1.0, -2 * r * np.cos(2 * np.pi * formant / rate), r * r], x)
    return 0.3 * x / np.abs(x).max()


@pytest.mark.parametrize(("text", "message"), [
    ("voice=slt;dim=30", "divisible by 4"),
    ("n=5", "a folder of audio files"),
    ("/tmp;voice=slt", "one of them"),
    ("voice=slt;color=red", "unknown option 'color'"),
])  # fmt: skip
def test_bad_options_are_named(text, message):
    with pytest.raises(DataError, match=message):
        Speech(text)


def test_a_folder_gives_segments_of_its_utterances_and_holds_out_the_last(tmp_path, monkeypatch):
    monkeypatch.setenv("GENLAB_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "speaker"
    folder.mkdir()
    for i, (f0, seconds) in enumerate([(110, 1.0), (130, 0.6), (150, 0.8)]):
        soundfile.write(folder / f"{i}.wav", vowel(f0, seconds), 16000)
    source = get_source(f"speech:{folder};frames=32;hop=16;test=1")
    train, test = source.load()
    assert train.x.shape[1:] == (1, 24, 32) and test is not None and test.x.shape[1:] == (1, 24, 32)
    assert set(train.y.tolist()) == {0, 1} and set(test.y.tolist()) == {0}
    frames = [len(u.f0) for u in source.utterances("train")]
    assert len(train.x) == sum((n - 32) // 16 + 1 for n in frames)
    assert [u.name for u in source.utterances("test")] == ["2.wav"]

    def no_analysis(*args, **kwargs):
        raise AssertionError("analyzed again instead of read from the cache")

    monkeypatch.setattr("genlab.data.speech.features_of", no_analysis)
    assert np.array_equal(Speech(f"{folder};frames=32;hop=16;test=1").load()[0].x.numpy(), train.x.numpy())


def test_an_empty_folder_and_a_missing_one_are_refused(tmp_path):
    with pytest.raises(DataError, match="holds no audio files"):
        Speech(str(tmp_path)).load()
    with pytest.raises(DataError, match="no folder"):
        Speech(str(tmp_path / "nowhere")).load()


@pytest.mark.skipif(shutil.which("flite") is None, reason="Debian's flite is not installed")
def test_two_flite_voices_hold_out_the_same_sentences(tmp_path, monkeypatch):
    monkeypatch.setenv("GENLAB_CACHE", str(tmp_path))
    slt, rms = Speech("voice=slt;n=3;test=1"), Speech("voice=rms;n=3;test=1")
    held_slt, held_rms = slt.utterances("test"), rms.utterances("test")
    assert [u.text for u in held_slt] == [u.text for u in held_rms] and len(held_slt) == 1
    voiced = lambda u: np.median(u.f0[u.f0 > 0])
    assert voiced(held_slt[0]) > 1.3 * voiced(held_rms[0])


@pytest.mark.skipif(not Path("/usr/share/games/fillets-ng/sound").is_dir(), reason="fillets-ng-data-nl is not installed")
def test_the_fillets_fish_are_two_speakers_a_higher_and_a_lower_voice():
    small, big = Speech("fillets=nl;fish=small;test=2"), Speech("fillets=nl;fish=big;test=2")
    names_small, names_big = [n for n, _, _ in small._clips()], [n for n, _, _ in big._clips()]
    assert len(names_small) > 500 and len(names_big) > 500
    assert all("-m-" in n for n in names_small) and all("-v-" in n for n in names_big)
    median_f0 = lambda source: np.median(np.concatenate([u.f0[u.f0 > 0] for u in source.utterances("test")]))
    assert median_f0(small) > 1.2 * median_f0(big)
    with pytest.raises(DataError, match="small or big"):
        Speech("fillets=nl;fish=medium")
    with pytest.raises(DataError, match="fillets-ng-data-xx"):
        Speech("fillets=xx").load()


def test_clips_shorter_than_a_segment_are_left_out_and_all_short_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("GENLAB_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "speaker"
    folder.mkdir()
    for i, seconds in enumerate([0.2, 1.0, 0.3]):
        soundfile.write(folder / f"{i}.wav", vowel(120, seconds), 16000)
    train, _ = Speech(f"{folder};frames=64;test=1").load()
    assert set(train.y.tolist()) == {1}  # the 0.2 s clip (40 frames) is left out
    with pytest.raises(DataError, match="every clip is shorter than one training segment"):
        Speech(f"{folder};frames=400;test=1").load()
