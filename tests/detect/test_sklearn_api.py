"""The detector as a scikit-learn estimator: every check of check_estimator, Pipelines and model
selection, and the parameter ``score=`` renamed ``outlier_score=`` (it hid the ``score(X, y)`` method)."""

import inspect
import json
import warnings

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from genlab.detect import AEOD, VAEOD, GenerativeOutlierDetector
from genlab.evaluate.detection import auroc

pytestmark = pytest.mark.usefixtures("one_thread")  # tiny models: see conftest.one_thread

TINY = {"epochs": 2, "hidden": (8,), "latent_dim": 2, "device": "cpu", "random_state": 0}


@parametrize_with_checks([
    VAEOD(iwae_k=2, **TINY),
    AEOD(**TINY),
    GenerativeOutlierDetector(outlier_score="ratio", iwae_k=2, **TINY),  # two models, and the class itself
])  # fmt: skip
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def planted(n=80, d=4, n_out=8, seed=0):
    rng = np.random.default_rng(seed)
    x = np.vstack([rng.normal(size=(n, 2)) @ rng.normal(size=(2, d)), 4 * rng.normal(size=(n_out, d))])
    order = rng.permutation(n + n_out)  # outliers in every fold
    return (x * np.arange(1, d + 1) + 10)[order], np.r_[np.zeros(n), np.ones(n_out)][order]  # columns in other units


def test_in_a_pipeline_and_in_model_selection():
    x, y = planted()
    pipe = Pipeline([("scale", StandardScaler()), ("od", VAEOD(epochs=3, device="cpu", random_state=0))]).fit(x)
    scaled = StandardScaler().fit_transform(x)
    alone = VAEOD(epochs=3, device="cpu", random_state=0).fit(scaled)
    np.testing.assert_array_equal(pipe.predict(x), alone.predict(scaled))
    np.testing.assert_allclose(pipe.decision_function(x), alone.decision_function(scaled), rtol=1e-12)
    # the parameter score= made pipe.score a string to call ("'str' object is not callable"); now, as for
    # IsolationForest, a detector has no score(X, y), so neither has its Pipeline
    assert not hasattr(pipe, "score")
    search = GridSearchCV(pipe, {"od__outlier_score": ["recon", "iwae"]}, cv=2,
                          scoring=lambda estimator, x, y: auroc(y, estimator.decision_function(x))).fit(x, y)  # fmt: skip
    assert search.best_params_["od__outlier_score"] in ("recon", "iwae") and search.best_score_ > 0.5


def test_score_is_the_deprecated_name_of_outlier_score():
    for cls, name in ((VAEOD, "VAEOD"), (AEOD, "AEOD"), (GenerativeOutlierDetector, "GenerativeOutlierDetector")):
        with pytest.warns(FutureWarning, match="score= is now called outlier_score=") as caught:
            detector = cls(score="ratio")
        assert caught[0].filename == __file__  # the warning points at the user's line, not into genlab
        assert detector.outlier_score == "ratio" and not hasattr(detector, "score")
        assert "score" not in detector.get_params() and detector.get_params()["outlier_score"] == "ratio"
        assert "score" not in inspect.signature(cls).parameters
        with pytest.warns(FutureWarning, match="outlier_score="):
            assert detector.set_params(score="recon", epochs=3) is detector
        assert detector.outlier_score == "recon" and detector.epochs == 3
        with pytest.raises(TypeError, match=f"{name}\\(\\) got an unexpected keyword argument 'no_such_option'"):
            cls(no_such_option=1)
        with pytest.raises(ValueError, match="Invalid parameter 'no_such_option'"):
            cls().set_params(no_such_option=1)
    pipe = Pipeline([("od", VAEOD())])
    with pytest.warns(FutureWarning):
        pipe.set_params(od__score="iwae")
    assert pipe.named_steps["od"].outlier_score == "iwae"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        VAEOD(outlier_score="iwae")  # the new name warns about nothing


def test_a_detector_saved_before_the_rename_still_loads(tmp_path):
    from genlab.detect.report import render_detect_report
    from genlab.run import Run

    x, _ = planted()
    detector = AEOD(outlier_score="ratio", **TINY).fit(x)
    path = detector.save(tmp_path / "run")
    config = json.loads((path / "config.json").read_text())
    params = config["detector"]["params"]
    assert params["outlier_score"] == "ratio" and "score" not in params
    params["score"] = params.pop("outlier_score")  # as genlab wrote it before the rename
    (path / "config.json").write_text(json.dumps(config))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an old run folder is no deprecated call of the user's
        loaded = GenerativeOutlierDetector.load(path)
    assert type(loaded) is AEOD and loaded.outlier_score == "ratio"
    np.testing.assert_array_equal(loaded.decision_function(x), detector.decision_function(x))
    assert "scoring by ratio" in render_detect_report(Run(path))
