"""What a voice run's report shows: for a few held-out sentences, the source, converted and true
target speech as WAVs beside a figure of their spectral envelopes and F0 contours. Written into
``RUN/voice_examples/`` (named on :class:`genlab.run.Run`) by ``genlab evaluate --voice``; the
run's report embeds them (genlab.report reads files and imports nothing from here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from genlab.data.audio import save_audio
from genlab.data.speech import Utterance
from genlab.data.world import FRAME_PERIOD_MS, all_pass_constant, mc2sp
from genlab.evaluate.speech import align
from genlab.io import write_json
from genlab.run import Run


def example_figure(source: Utterance, converted_mc: np.ndarray, converted_f0: np.ndarray, target: Utterance, rate: int,
                   names: tuple[str, str] = ("source", "target")) -> Any:  # fmt: skip
    """A matplotlib figure: log spectral envelopes of source, converted and target, then the F0
    contours (the target's aligned to the source's frames by DTW of the mel-cepstra)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    alpha, seconds = all_pass_constant(rate), FRAME_PERIOD_MS / 1000
    rows = [(f"{names[0]} (source)", source.mel_cepstrum), (f"converted to {names[1]}", converted_mc), (f"{names[1]} (true target)", target.mel_cepstrum)]
    fig, axes = plt.subplots(4, 1, figsize=(9, 9), constrained_layout=True)
    for ax, (title, mc) in zip(axes, rows):
        envelope_db = 10 * np.log10(mc2sp(mc, alpha, 1024)).T
        ax.imshow(envelope_db, origin="lower", aspect="auto", extent=(0, len(mc) * seconds, 0, rate / 2000), cmap="magma")
        ax.set(title=title, ylabel="kHz")
    pair = align(converted_mc, target.mel_cepstrum)
    voiced = lambda f0: np.where(f0 > 0, f0, np.nan)
    axes[3].plot(np.arange(len(source.f0)) * seconds, voiced(source.f0), label=names[0])
    axes[3].plot(np.arange(len(converted_f0)) * seconds, voiced(converted_f0), label="converted")
    axes[3].plot(pair.rows * seconds, voiced(target.f0[pair.cols]), label=f"{names[1]}, aligned")
    axes[3].set(title=f'F0: "{source.text}"' if source.text else "F0", xlabel="seconds", ylabel="Hz")
    axes[3].legend(loc="upper right")
    return fig


def write_examples(run: Run, examples: list[dict[str, Any]], rate: int) -> Path:
    """Each example's three waves and its figure into ``RUN/voice_examples/``, listed in index.json.

    An example holds ``name``, ``text``, ``waves`` ({"source", "converted", "target"}: arrays)
    and ``figure`` (matplotlib)."""
    import matplotlib.pyplot as plt

    folder = run.voice_examples_dir
    folder.mkdir(exist_ok=True)
    index = []
    for i, example in enumerate(examples):
        stem = f"{i:02d}"
        waves = {kind: f"{stem}_{kind}.wav" for kind in example["waves"]}
        for kind, wave in example["waves"].items():
            save_audio(folder / waves[kind], wave, rate)
        example["figure"].savefig(folder / f"{stem}.png", dpi=70)
        plt.close(example["figure"])
        index.append({"name": example["name"], "text": example["text"], "waves": waves, "figure": f"{stem}.png"})
    return write_json(folder / "index.json", index)
