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
        self._decoder_class: Any = Decoder

    def transcribe(self, wave: np.ndarray, rate: int) -> str:
        """The words heard in ``wave``. Each call starts a fresh decoder (about 0.3 s): one decoder
        carries its cepstral normalization, live or batch, from utterance to utterance, so the
        transcript of a sentence would depend on what was decoded before it."""
        if rate != self.RATE:
            raise DataError(f"the recognizer takes {self.RATE} Hz speech, got {rate} Hz; resample it first")
        decoder = self._decoder_class(samprate=self.RATE, loglevel="FATAL")
        pcm = (np.clip(wave, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
        return "" if hypothesis is None else hypothesis.hypstr
