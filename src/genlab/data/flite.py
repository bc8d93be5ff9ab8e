"""A parallel speech corpus made offline: the same sentences spoken by two of Debian's ``flite``
voices, which were built from recordings of real speakers of the CMU ARCTIC databases (``slt``
a woman, ``rms`` and ``awb`` men, ``kal`` a man's diphone voice).

The sentences come from a small grammar of everyday words, drawn by a seed, so that a corpus of
any size is the same on every machine and an offline recognizer's vocabulary covers it. Each
sentence is synthesized once per voice (``flite -voice VOICE -t TEXT -o FILE``, 16 kHz mono) and
kept under ``$GENLAB_CACHE/speech/flite`` by a hash of voice and text.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from genlab.data.audio import load_audio
from genlab.errors import DataError
from genlab.io import cache_dir

FLITE_VOICES = ("slt", "rms", "awb", "kal")
FLITE_SAMPLE_RATE = 16_000

_SUBJECTS = ("the old man", "my sister", "a young girl", "the farmer", "our teacher", "the small dog", "his brother",
             "the tall woman", "a quiet boy", "the doctor", "her mother", "the driver", "my friend", "the captain",
             "a happy child", "the baker", "your cousin", "the nurse", "the king", "a brown horse")  # fmt: skip
_VERBS = ("found", "painted", "carried", "opened", "cleaned", "watched", "bought", "dropped", "brought", "wanted",
          "lifted", "covered", "pushed", "followed", "mended", "counted", "sold", "kept", "washed", "turned")  # fmt: skip
_OBJECTS = ("the red box", "a wooden chair", "the green door", "six yellow apples", "the heavy bag", "a long rope",
            "the white boat", "two silver coins", "the broken clock", "a warm coat", "the blue cup", "an empty jar",
            "the new book", "a round table", "the black hat", "nine small stones", "the open window",
            "a cold drink", "the garden gate", "a large map")  # fmt: skip
_PLACES = ("near the river", "in the morning", "after lunch", "at the station", "by the old mill", "in the dark kitchen",
           "before the rain", "on the top shelf", "under the bridge", "at the market", "behind the barn",
           "during the storm", "in the quiet town", "across the field", "on a sunny day", "beside the road")  # fmt: skip
_ENDINGS = ("and went home", "and smiled", "without a word", "very slowly", "with great care", "twice", "again",
            "for the last time", "and sat down", "in a hurry")  # fmt: skip


def sentences(n: int, seed: int = 0) -> list[str]:
    """``n`` distinct sentences of the grammar, the same for the same seed."""
    rng = np.random.default_rng(seed)
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        parts = [_SUBJECTS[rng.integers(len(_SUBJECTS))], _VERBS[rng.integers(len(_VERBS))], _OBJECTS[rng.integers(len(_OBJECTS))]]
        if rng.random() < 0.7:
            parts.append(_PLACES[rng.integers(len(_PLACES))])
        if rng.random() < 0.4:
            parts.append(_ENDINGS[rng.integers(len(_ENDINGS))])
        text = " ".join(parts)
        text = text[0].upper() + text[1:] + "."
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def flite_binary() -> str:
    """The path of the ``flite`` program, or a DataError that says how to install it."""
    path = shutil.which("flite")
    if path is None:
        raise DataError("the parallel speech corpus needs Debian's flite: sudo apt-get install flite")
    return path


def synthesize_sentence(text: str, voice: str, folder: Path | None = None) -> Path:
    """The WAV of ``text`` in ``voice``, synthesized by flite on the first call and cached."""
    if voice not in FLITE_VOICES:
        raise DataError(f"unknown flite voice {voice!r}; choose one of {', '.join(FLITE_VOICES)}")
    folder = folder or cache_dir("speech") / "flite" / voice
    key = hashlib.sha256(f"{voice}\n{text}".encode()).hexdigest()[:20]
    path = folder / f"{key}.wav"
    if path.is_file():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{key}.{uuid.uuid4().hex[:8]}.wav"
    command = [flite_binary(), "-voice", voice, "-t", text, "-o", str(tmp)]
    done = subprocess.run(command, check=False, capture_output=True, text=True)
    if done.returncode != 0 or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        raise DataError(f"flite could not speak {text!r} in voice {voice}: {done.stderr.strip() or 'no output'}")
    tmp.replace(path)  # a reader never sees half a file; two writers write the same bytes
    return path


@dataclass(frozen=True)
class ParallelCorpus:
    """Sentence ids, texts and waveforms of two voices speaking the same sentences."""

    ids: list[str]
    texts: list[str]
    voice_a: str
    voice_b: str
    waves_a: list[np.ndarray]
    waves_b: list[np.ndarray]
    sample_rate: int


def flite_corpus(voice_a: str = "slt", voice_b: str = "rms", n: int = 100, seed: int = 0,
                 sample_rate: int = FLITE_SAMPLE_RATE, workers: int = 4) -> ParallelCorpus:  # fmt: skip
    """``n`` sentences spoken by ``voice_a`` and ``voice_b`` (synthesized in parallel threads, each a flite process)."""
    if voice_a == voice_b:
        raise DataError(f"a parallel corpus needs two different voices, got {voice_a} twice")
    texts = sentences(n, seed)
    jobs = [(text, voice) for voice in (voice_a, voice_b) for text in texts]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        paths = list(pool.map(lambda job: synthesize_sentence(*job), jobs))
    waves = [load_audio(path, sample_rate) for path in paths]
    ids = [f"s{seed:02d}_{i:04d}" for i in range(n)]
    return ParallelCorpus(ids, texts, voice_a, voice_b, waves[:n], waves[n:], sample_rate)
