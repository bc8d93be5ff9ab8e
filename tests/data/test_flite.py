"""The parallel flite corpus: the same sentences in two real speakers' voices."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from genlab.data.flite import flite_corpus, sentences, synthesize_sentence
from genlab.errors import DataError

needs_flite = pytest.mark.skipif(shutil.which("flite") is None, reason="Debian's flite is not installed")


def test_sentences_are_distinct_and_the_same_for_the_same_seed():
    first = sentences(200, seed=3)
    assert first == sentences(200, seed=3)
    assert len(set(first)) == 200
    assert first != sentences(200, seed=4)
    assert all(s[0].isupper() and s.endswith(".") for s in first)


@needs_flite
def test_the_corpus_is_parallel_and_the_voices_differ_in_pitch(tmp_path, monkeypatch):
    pytest.importorskip("soundfile")
    pyworld = pytest.importorskip("pyworld")
    monkeypatch.setenv("GENLAB_CACHE", str(tmp_path))
    corpus = flite_corpus("slt", "rms", n=3, seed=1)
    assert corpus.texts == sentences(3, seed=1)
    assert len(corpus.ids) == len(corpus.waves_a) == len(corpus.waves_b) == 3
    for a, b in zip(corpus.waves_a, corpus.waves_b):
        assert len(a) > corpus.sample_rate and len(b) > corpus.sample_rate  # over a second of speech each

    def median_f0(wave):
        f0, _ = pyworld.dio(wave, corpus.sample_rate)
        return np.median(f0[f0 > 0])

    assert median_f0(corpus.waves_a[0]) > 1.3 * median_f0(corpus.waves_b[0])  # slt is a woman, rms a man


@needs_flite
def test_a_sentence_is_synthesized_once_and_then_read_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GENLAB_CACHE", str(tmp_path))
    first = synthesize_sentence("The red box.", "slt")
    stamp = first.stat().st_mtime_ns
    assert synthesize_sentence("The red box.", "slt") == first and first.stat().st_mtime_ns == stamp
    assert synthesize_sentence("The red box.", "rms") != first


def test_unknown_voices_and_one_voice_twice_are_refused():
    with pytest.raises(DataError, match="unknown flite voice"):
        synthesize_sentence("Hello.", "nobody")
    with pytest.raises(DataError, match="two different voices"):
        flite_corpus("slt", "slt", n=1)
