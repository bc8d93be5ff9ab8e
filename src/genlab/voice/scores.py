"""How well a voice run converts, on held-out sentences that both speakers said (parallel speech,
such as the flite corpus):

    mcd_db                 mel-cepstral distortion of converted vs true target speech (DTW-aligned,
                           c0 and silence left out; genlab.evaluate.speech)
    mcd_source_target_db   the same of the unconverted source: doing nothing
    mcd_stats_baseline_db  the same of the source's mel-cepstra moved to the target's mean and
                           standard deviation per coefficient: the simplest conversion, the one to beat
    f0_rmse_hz, f0_corr    the converted F0 (log-Gaussian transform) against the target's, on the
                           aligned frames voiced in both
    speaker_acc            the share of converted utterances a speaker classifier calls the target
                           (and the same for the source and the baseline, beside it)
    wer, wer_source        word error rate of an offline recognizer (pocketsphinx) on the converted
                           speech (synthesized) and on the source speech, against the sentence's text;
    wer_stats_baseline     and on the mean/variance match, synthesized the same way (what WORLD and
                           the F0 transform alone cost the recognizer)

Distances are computed on the converted features, before synthesis; the recognizer hears the
synthesized conversion of the whole source recording. The speaker classifier is a
logistic regression on single frames' mel-cepstra c1.. (not c0, the loudness) of the two
speakers' real training speech, loud frames only; an utterance goes to the speaker whose mean
frame log-probability is higher. Its accuracy on the speakers' own held-out utterances is
reported too, as a check that it can tell them apart.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from genlab.data.speech import Utterance
from genlab.data.world import convert_f0
from genlab.errors import DataError
from genlab.evaluate.speech import align, f0_error, loud_frames, mel_cepstral_distortion, word_error_rate
from genlab.io import write_json
from genlab.run import Run
from genlab.voice.convert import VoiceConverter
from genlab.voice.recognize import Recognizer
from genlab.voice.report import example_figure, write_examples


def speaker_classifier(a: list[Utterance], b: list[Utterance], silence_db: float = 40.0) -> Any:
    """A logistic regression on loud frames' c1.. of speaker A (class 0) and B (class 1)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def frames(utterances: list[Utterance]) -> np.ndarray:
        return np.concatenate([u.mel_cepstrum[loud_frames(u.mel_cepstrum[:, 0], silence_db), 1:] for u in utterances])

    x_a, x_b = frames(a), frames(b)
    x = np.concatenate([x_a, x_b])
    y = np.concatenate([np.zeros(len(x_a)), np.ones(len(x_b))])
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(x, y)


def called(classifier: Any, mel_cepstrum: np.ndarray, silence_db: float = 40.0) -> int:
    """The speaker (0: A, 1: B) the classifier hears in an utterance: the higher mean frame log-probability."""
    frames = mel_cepstrum[loud_frames(mel_cepstrum[:, 0], silence_db), 1:]
    return int(classifier.predict_log_proba(frames).mean(0).argmax())


def voice_scores(path: str, direction: str = "AtoB", n: int | None = None, device: str = "cpu", save: bool = True,
                 examples: int = 3) -> dict[str, Any]:  # fmt: skip
    """The scores above on the run's held-out parallel sentences (the first ``n``); saved as
    RUN/voice_DIRECTION.json, with the first ``examples`` sentences as audio and pictures for the
    report (:mod:`genlab.voice.report`)."""
    converter = VoiceConverter.load(path, device)
    src, tgt = ("a", "b") if direction == "AtoB" else ("b", "a")
    sources, targets = converter.speakers[src].utterances("test"), converter.speakers[tgt].utterances("test")
    texts = [u.text for u in sources]
    if not texts or texts != [u.text for u in targets] or not all(texts):
        raise DataError("voice scores need parallel held-out speech: both speakers saying the same sentences (speech:voice=...)")
    if n is not None:
        sources, targets = sources[:n], targets[:n]
    source_waves = converter.speakers[src].waves("test")[: len(sources)]
    target_waves = converter.speakers[tgt].waves("test")[:examples]
    shown: list[dict[str, Any]] = []
    recognizer = Recognizer()
    rate = converter.rate
    classifier = speaker_classifier(converter.speakers["a"].utterances("train"), converter.speakers["b"].utterances("train"))
    target_label = 1 if tgt == "b" else 0
    rows = []
    for source, target, wave in zip(sources, targets, source_waves):
        converted = converter.convert_mel_cepstrum(source.mel_cepstrum, direction)
        matched = converter.convert_mel_cepstrum(source.mel_cepstrum, direction, stats_only=True)
        pair = align(converted, target.mel_cepstrum)
        f0 = convert_f0(source.f0, converter.f0_stats[src], converter.f0_stats[tgt])
        converted_wave = converter.convert_wave(wave, direction)
        rows.append({
            "sentence": source.name,
            "mcd_db": mel_cepstral_distortion(converted, target.mel_cepstrum, aligned=pair),
            "mcd_source_target_db": mel_cepstral_distortion(source.mel_cepstrum, target.mel_cepstrum),
            "mcd_stats_baseline_db": mel_cepstral_distortion(matched, target.mel_cepstrum),
            **f0_error(f0[: len(converted)], target.f0, pair),
            "called_target": called(classifier, converted) == target_label,
            "source_called_target": called(classifier, source.mel_cepstrum) == target_label,
            "baseline_called_target": called(classifier, matched) == target_label,
            "target_called_target": called(classifier, target.mel_cepstrum) == target_label,
            "wer": word_error_rate(source.text, recognizer.transcribe(converted_wave, rate)),
            "wer_source": word_error_rate(source.text, recognizer.transcribe(wave, rate)),
            "wer_stats_baseline": word_error_rate(source.text, recognizer.transcribe(converter.convert_wave(wave, direction, True), rate)),
        })  # fmt: skip
        if save and len(shown) < len(target_waves):
            names = (speaker_name(converter.speakers[src]), speaker_name(converter.speakers[tgt]))
            shown.append({"name": source.name, "text": source.text, "figure": example_figure(source, converted, f0, target, rate, names),
                          "waves": {"source": wave, "converted": converted_wave, "target": target_waves[len(shown)]}})  # fmt: skip

    def mean(key: str) -> float:
        return float(np.nanmean([float(r[key]) for r in rows]))

    def se(key: str) -> float:
        values = np.array([float(r[key]) for r in rows])
        return float(values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else float("nan")

    result: dict[str, Any] = {"run": str(path), "direction": direction, "n_sentences": len(rows)}
    for key in ("mcd_db", "mcd_source_target_db", "mcd_stats_baseline_db", "f0_rmse_hz", "f0_corr", "wer", "wer_source", "wer_stats_baseline"):
        result[key], result[f"{key}_se"] = mean(key), se(key)
    result |= {"speaker_acc": mean("called_target"), "speaker_acc_source": mean("source_called_target"),
               "speaker_acc_stats_baseline": mean("baseline_called_target"), "speaker_acc_real_target": mean("target_called_target"),
               "per_sentence": rows}  # fmt: skip
    if save:
        write_json(Run(path).voice_path(direction), result)
        write_examples(Run(path), shown, rate)
    return result


def speaker_name(source: Any) -> str:
    """A short name of a speech source for pictures: the flite voice, the fish, or the folder."""
    return source.voice or (f"{source.fish} fish" if source.fillets else source.folder.name)
