"""One speaker's speech as training data for voice conversion: mel-cepstra of WORLD analysis, cut
into fixed-length segments.

    speech:voice=slt[;n=100;seed=0;test=10]   a flite voice speaking the corpus sentences (16 kHz)
    speech:fillets=nl;fish=small|big           a character of the game Fish Fillets, recorded by an
                                               actor: Debian's fillets-ng-data-nl (Dutch) or -cs (Czech)
    speech:PATH[;test=10]                      a folder of a speaker's WAV, FLAC or OGG files

Options: ``dim`` mel-cepstral coefficients c0..c(dim-1) (default 24; divisible by 4),
``frames`` per segment (default 128, 0.64 s at 5 ms), ``hop`` frames between segment starts
(default 32), ``rate`` Hz (default 16000). The last ``test`` utterances (default 10% of them, at
least 1) are the official test split: with flite, the same sentences in every voice, so a test
utterance of one voice has its true conversion in the other. The fillets characters are the
small fish (a higher voice; its lines are named ``LEVEL-m-...``) and the big fish (a lower voice,
``LEVEL-v-...``), about 600 lines each in Dutch, no two the same sentence. Each example is one segment shaped
(1, dim, frames); its utterance's index is its label ``y``.

Analysis (WORLD with DIO F0, about 0.04 s per second of speech) runs once per utterance; the F0
and mel-cepstrum are kept under ``$GENLAB_CACHE/speech/features``. :meth:`Speech.utterances`
gives them whole, for statistics, conversion and scoring.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

import numpy as np

from genlab.data.audio import AUDIO_SUFFIXES, load_audio, trim_silence
from genlab.data.dataset import Dataset
from genlab.data.options import check_keys, one_value, parse_options, positive_int
from genlab.data.source import SourceInfo
from genlab.errors import DataError
from genlab.io import cache_dir, write_atomically

log = logging.getLogger(__name__)
FEATURES_VERSION = 2  # bump when the analysis changes, so cached features are not reused
FILLETS_SOUND = Path("/usr/share/games/fillets-ng/sound")
FILLETS_FISH = {"small": "m", "big": "v"}  # the letter in each line's id


@dataclass(frozen=True)
class Utterance:
    """One utterance's frames: F0 (T,) in Hz (0 unvoiced) and mel-cepstrum (T, dim), with its
    identity (a sentence id or a file name) and text where known."""

    name: str
    f0: np.ndarray
    mel_cepstrum: np.ndarray
    text: str = ""


class Speech:
    """A speaker's utterances, analyzed and segmented; see the module docstring for the options."""

    OPTIONS: ClassVar[list[str]] = ["voice", "fillets", "fish", "n", "seed", "test", "dim", "frames", "hop", "rate"]

    def __init__(self, text: str) -> None:
        self.name = f"speech:{text}"
        head, _, rest = text.partition(";")
        if "=" in head:  # no folder: every item is an option
            rest, self.folder = text, None
        else:
            self.folder = Path(head).expanduser()
        options = parse_options(rest, "speech")
        check_keys(options, self.OPTIONS, "speech")
        self.voice = one_value(options, "voice", "speech") if "voice" in options else None
        self.fillets = one_value(options, "fillets", "speech") if "fillets" in options else None
        if sum(x is not None for x in (self.voice, self.fillets, self.folder)) != 1:
            raise DataError("speech: give a folder of audio files (speech:PATH), a flite voice (speech:voice=slt) or a "
                            "fillets character (speech:fillets=nl;fish=small), one of them")  # fmt: skip
        self.fish = one_value(options, "fish", "speech") if "fish" in options else "small"
        if self.fish not in FILLETS_FISH:
            raise DataError(f"speech: fish is small or big, got '{self.fish}'")
        self.n = positive_int(options, "n", "speech", 100)
        self.seed = positive_int(options, "seed", "speech", 0, minimum=0)
        self.dim = positive_int(options, "dim", "speech", 24, minimum=4)
        self.frames = positive_int(options, "frames", "speech", 128, minimum=8)
        self.hop = positive_int(options, "hop", "speech", 32)
        self.rate = positive_int(options, "rate", "speech", 16000, minimum=1000)
        self.test = positive_int(options, "test", "speech", 0, minimum=0) if "test" in options else None
        if self.dim % 4:
            raise DataError(f"speech: dim must be divisible by 4 (the generator halves it twice), got {self.dim}")

    def info(self) -> SourceInfo:
        where = f"flite voice {self.voice}" if self.voice else f"fillets {self.fillets} {self.fish} fish" if self.fillets else str(self.folder)
        present = self.folder.is_dir() if self.folder else True
        return SourceInfo(self.name, "speech", f"1x{self.dim}x{self.frames}", None, None, where, present)

    # --- utterances -----------------------------------------------------------------------------

    def _clips(self) -> list[tuple[str, str, Path | None]]:
        """(name, text, audio file or None for flite) of every utterance, in order."""
        if self.voice is not None:
            from genlab.data.flite import sentences

            return [(f"s{self.seed:02d}_{i:04d}", text, None) for i, text in enumerate(sentences(self.n, self.seed))]
        if self.fillets is not None:
            return self._fillets_clips()
        assert self.folder is not None
        if not self.folder.is_dir():
            raise DataError(f"speech: no folder at {self.folder}; give a folder of a speaker's audio files")
        files = sorted(p for p in self.folder.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file())
        if not files:
            raise DataError(f"speech: {self.folder} holds no audio files ({', '.join(AUDIO_SUFFIXES)})")
        return [(str(p.relative_to(self.folder)), "", p) for p in files]

    def _fillets_clips(self) -> list[tuple[str, str, Path | None]]:
        files = sorted(FILLETS_SOUND.glob(f"*/{self.fillets}/*-{FILLETS_FISH[self.fish]}-*.ogg"))
        files = [p for p in files if p.stat().st_size > 0]  # the packages hold a few empty files
        if not files:
            raise DataError(f"speech: no fillets lines in language '{self.fillets}' under {FILLETS_SOUND}; "
                            f"install them: sudo apt-get install fillets-ng-data-{self.fillets}")  # fmt: skip
        return [(f"{p.parent.parent.name}/{p.stem}", "", p) for p in files]

    def test_count(self, total: int) -> int:
        count = self.test if self.test is not None else max(1, total // 10)
        if count >= total:
            raise DataError(f"speech: {total} utterances leave none to train on with test={count}")
        return count

    def _part(self, part: str) -> list[tuple[str, str, Path | None]]:
        """The clips of ``part``: ``train``, all but the last ``test``; ``test``, those."""
        clips = self._clips()
        cut = len(clips) - self.test_count(len(clips))
        return clips[:cut] if part == "train" else clips[cut:]

    def utterances(self, part: str = "train") -> list[Utterance]:
        """The analyzed utterances of ``part``, in order."""
        return [self._analyzed(name, text, path) for name, text, path in self._part(part)]

    def waves(self, part: str = "train") -> list[np.ndarray]:
        """The waveforms (at ``rate``, untrimmed) of the utterances of ``part``, in order."""
        return [load_audio(self._audio_path(text, path), self.rate) for _, text, path in self._part(part)]

    def _audio_path(self, text: str, path: Path | None) -> Path:
        if path is not None:
            return path
        from genlab.data.flite import synthesize_sentence

        assert self.voice is not None
        return synthesize_sentence(text, self.voice)

    def _analyzed(self, name: str, text: str, path: Path | None) -> Utterance:
        path = self._audio_path(text, path)
        stat = path.stat()
        key = hashlib.sha256(f"{FEATURES_VERSION}|{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{self.rate}|{self.dim}".encode()).hexdigest()[:24]
        cached = cache_dir("speech") / "features" / f"{key}.npz"
        if cached.is_file():
            with np.load(cached) as archive:
                return Utterance(name, archive["f0"], archive["mel_cepstrum"], text)
        f0, mel_cepstrum = features_of(load_audio(path, self.rate), self.rate, self.dim)
        cached.parent.mkdir(parents=True, exist_ok=True)

        def write(tmp: Path) -> None:
            with open(tmp, "wb") as file:  # a file object: np.savez would add .npz to a path
                np.savez(file, f0=f0, mel_cepstrum=mel_cepstrum)

        write_atomically(cached, write)
        return Utterance(name, f0, mel_cepstrum, text)

    # --- segments -------------------------------------------------------------------------------

    def load(self, resize: int | None = None) -> tuple[Dataset, Dataset | None]:
        if resize is not None:
            raise DataError("speech segments cannot be resized; leave out --resize")
        return self._segments(self.utterances("train")), self._segments(self.utterances("test"), pad_short=True)

    def _segments(self, utterances: list[Utterance], pad_short: bool = False) -> Dataset:
        """Segments of every utterance; one shorter than a segment is left out of training (a
        DataError if all are) or, with ``pad_short`` (the test split), padded by repeating its end."""
        import torch

        pieces, owners = [], []
        if pad_short:
            utterances = [replace(u, mel_cepstrum=np.pad(u.mel_cepstrum, ((0, max(0, self.frames - len(u.mel_cepstrum))), (0, 0)), mode="edge"))
                          for u in utterances]  # fmt: skip
        short = [u for u in utterances if len(u.mel_cepstrum) < self.frames]
        if short and len(short) == len(utterances):
            raise DataError(
                f"{self.name}: every clip is shorter than one training segment ({self.frames} frames = "
                f"{self.frames * 0.005:.2f} s of speech after trimming silence); give longer clips or a smaller frames="
            )
        if short:
            log.warning("%s: %d of %d clips are shorter than one training segment and are left out", self.name, len(short), len(utterances))
        for index, utterance in enumerate(utterances):
            mc = utterance.mel_cepstrum
            for start in range(0, len(mc) - self.frames + 1, self.hop):
                pieces.append(mc[start : start + self.frames].T)
                owners.append(index)
        x = torch.from_numpy(np.stack(pieces)[:, None].astype(np.float32))
        return Dataset(x, torch.tensor(owners, dtype=torch.int64))


def features_of(wave: np.ndarray, rate: int, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """F0 (T,) and mel-cepstrum c0..c(dim-1) (T, dim) of a waveform, its silent ends trimmed."""
    from genlab.data.world import all_pass_constant, analyze, sp2mc

    features = analyze(trim_silence(wave, rate), rate)
    return features.f0, sp2mc(features.envelope, dim - 1, all_pass_constant(rate))
