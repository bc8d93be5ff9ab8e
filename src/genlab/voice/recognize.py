"""An offline speech recognizer for intelligibility: CMU pocketsphinx with the US English model
its PyPI wheel ships (nothing is downloaded). It is a small, old recognizer: its word error rate
on clean synthetic speech is well above zero, so converted speech is compared with the source
speech it came from, never with zero."""

from __future__ import annotations

from typing import Any

import numpy as np

from genlab.errors import DataError


class Recognizer:
    """Transcribes 16 kHz mono waveforms (float, [-1, 1]) into lower-case words."""

    RATE = 16000

    def __init__(self) -> None:
        try:
            from pocketsphinx import Decoder
        except ImportError as err:  # pragma: no cover - an install without the voice extra
            raise DataError("the word error rate needs pocketsphinx: pip install 'genlab[voice]'") from err
        self.decoder: Any = Decoder(samprate=self.RATE, loglevel="FATAL")

    def transcribe(self, wave: np.ndarray, rate: int) -> str:
        if rate != self.RATE:
            raise DataError(f"the recognizer takes {self.RATE} Hz speech, got {rate} Hz; resample it first")
        pcm = (np.clip(wave, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        self.decoder.start_utt()
        self.decoder.process_raw(pcm, full_utt=True)
        self.decoder.end_utt()
        hypothesis = self.decoder.hyp()
        return "" if hypothesis is None else hypothesis.hypstr
