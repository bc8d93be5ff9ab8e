"""Outlier detection with generative models, behind the scikit-learn / PyOD estimator API."""

from genlab.detect.detector import AEOD, VAEOD, GenerativeOutlierDetector
from genlab.detect.scores import SCORES

__all__ = ["AEOD", "SCORES", "VAEOD", "GenerativeOutlierDetector"]
