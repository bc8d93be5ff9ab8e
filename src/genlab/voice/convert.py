"""Convert speech with a trained voice run: WORLD analysis, the generator on the mel-cepstrum,
the log-Gaussian F0 transform, WORLD synthesis.

    wave -> F0, envelope, aperiodicity (WORLD) -> mel-cepstrum c0..c(D-1)
         -> generator (A->B or B->A; standardized by the speakers' statistics) -> envelope
         -> F0 converted by the speakers' log F0 statistics; aperiodicity kept -> wave

The speakers' F0 statistics come from the run's training utterances (their WORLD features are
cached by the data layer, so this is quick after training).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from genlab.data.audio import AUDIO_SUFFIXES, load_audio, save_audio
from genlab.data.registry import get_source
from genlab.data.speech import Speech
from genlab.data.world import (
    F0Stats,
    WorldFeatures,
    all_pass_constant,
    analyze,
    convert_f0,
    mc2sp,
    sp2mc,
    synthesize,
)
from genlab.errors import ConfigError, DataError
from genlab.io import check_output_path
from genlab.progress import ProgressFn
from genlab.run import Run

DIRECTIONS = ("AtoB", "BtoA")


@dataclass
class VoiceConverter:
    """A loaded voice run: its model, the two speakers' sources and F0 statistics."""

    model: torch.nn.Module
    speakers: dict[str, Speech]
    f0_stats: dict[str, F0Stats]

    @classmethod
    def load(cls, path: str | Path, device: str | torch.device = "cpu") -> VoiceConverter:
        run = Run(path)
        config = run.load_config()
        if config.model != "voice":
            raise ConfigError(f"{run.path} holds a '{config.model}' model, which does not convert speech; train a voice model")
        model = run.load_model(device)
        speakers = {"a": get_source(config.data.name), "b": get_source(config.data.name_b or "")}
        if not all(isinstance(s, Speech) for s in speakers.values()):
            raise ConfigError(f"{run.path} was not trained on two speech: sources")
        stats = {k: F0Stats.of([u.f0 for u in s.utterances("train")]) for k, s in speakers.items()}  # type: ignore[union-attr]
        return cls(model, speakers, stats)  # type: ignore[arg-type]

    @property
    def rate(self) -> int:
        return self.speakers["a"].rate

    @property
    def dim(self) -> int:
        return self.speakers["a"].dim

    def convert_features(self, features: WorldFeatures, direction: str = "AtoB", stats_only: bool = False) -> WorldFeatures:
        """WORLD features of the source speaker as the target speaker's. With ``stats_only`` the
        mel-cepstrum is only moved to the target's mean and standard deviation per coefficient
        (the baseline that ``genlab evaluate --voice`` compares with), not put through the generator."""
        if direction not in DIRECTIONS:
            raise ConfigError(f"--direction must be AtoB or BtoA, got {direction!r}")
        source, target = ("a", "b") if direction == "AtoB" else ("b", "a")
        alpha = all_pass_constant(features.sample_rate)
        converted = self.convert_mel_cepstrum(sp2mc(features.envelope, self.dim - 1, alpha), direction, stats_only)
        f0 = convert_f0(features.f0, self.f0_stats[source], self.f0_stats[target])
        return replace(features, f0=f0, envelope=mc2sp(converted, alpha, features.fft_size))

    def convert_mel_cepstrum(self, mel_cepstrum: np.ndarray, direction: str = "AtoB", stats_only: bool = False) -> np.ndarray:
        """A mel-cepstrum (T, D) of the source speaker as the target's: through the generator, or
        with ``stats_only`` moved to the target's mean and standard deviation per coefficient."""
        if direction not in DIRECTIONS:
            raise ConfigError(f"--direction must be AtoB or BtoA, got {direction!r}")
        source, target = ("a", "b") if direction == "AtoB" else ("b", "a")
        model: Any = self.model
        z = torch.from_numpy(mel_cepstrum.T[None, None].astype(np.float32)).to(next(model.parameters()).device)
        with torch.no_grad():
            out = model.unstandardize(model.standardize(z, source), target) if stats_only else model.convert(z, direction)
        return out[0, 0].T.double().cpu().numpy()

    def convert_wave(self, wave: np.ndarray, direction: str = "AtoB", stats_only: bool = False) -> np.ndarray:
        """A waveform at :attr:`rate` in the source speaker's voice, in the target's."""
        return synthesize(self.convert_features(analyze(wave, self.rate), direction, stats_only))


def audio_files(path: Path) -> list[Path]:
    """``path`` if it is an audio file, or the audio files of the folder ``path`` (sorted)."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DataError(f"--input {path}: no such file or folder")
    files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES)
    if not files:
        raise DataError(f"--input {path} holds no audio files ({', '.join(AUDIO_SUFFIXES)})")
    return files


def convert_files(run: str | Path, inputs: str | Path, out: str | Path, direction: str = "AtoB", device: str = "cpu",
                  progress: ProgressFn | None = None) -> list[Path]:  # fmt: skip
    """Convert an audio file (into the WAV file ``out``) or every audio file of a folder (into the
    folder ``out``, as WAVs of the same names)."""
    if direction not in DIRECTIONS:
        raise ConfigError(f"--direction must be AtoB or BtoA, got {direction!r}")
    source = Path(inputs).expanduser()
    files = audio_files(source)
    target = Path(out)
    one = source.is_file()
    if one:
        check_output_path(target, (".wav",))
    if not one and target.exists() and not target.is_dir():
        raise ConfigError(f"--out {target} is a file; give a folder for the converted files")
    converter = VoiceConverter.load(run, device)
    waves = [load_audio(file, converter.rate) for file in files]  # every input is read before anything is written
    written = []
    for i, (file, wave) in enumerate(zip(files, waves)):
        path = target if one else target / f"{file.stem}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        written.append(save_audio(path, converter.convert_wave(wave, direction), converter.rate))
        if progress is not None:
            progress("converting", i + 1, len(files))
    return written
