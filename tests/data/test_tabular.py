"""csv:PATH and mat:PATH sources, and bare paths named by their ending."""

import numpy as np
import pytest
import scipy.io

from genlab.data import get_source, source_name


def test_csv_with_header_and_label(tmp_path):
    (tmp_path / "t.csv").write_text("a,label,b\n1,0,2.5\n3,1,-4\n")
    data, test = get_source(f"csv:{tmp_path / 't.csv'}").load()
    assert test is None and not data.is_image
    np.testing.assert_allclose(data.x.numpy(), [[1, 2.5], [3, -4]])
    assert data.y.tolist() == [0, 1]


def test_csv_without_header(tmp_path):
    (tmp_path / "t.csv").write_text("1,2\n3,4\n5,6\n")
    data, _ = get_source(f"csv:{tmp_path / 't.csv'}").load()
    assert data.x.shape == (3, 2) and data.y is None


@pytest.mark.parametrize(
    "text, message",
    [("a,b\n1,x\n", "column 'b' holds the text 'x' on line 2"), ("a,b\n1,2,3\n", "line 2 has 3 cells"),
     ("a,label\n1,2\n", "must hold 0 (inlier) or 1"), ("a,b\n1,\n", "NaN or infinite"), ("", "is empty"),
     ("a,b\n", "no rows")],
)  # fmt: skip
def test_bad_csv(tmp_path, text, message):
    (tmp_path / "t.csv").write_text(text)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        get_source(f"csv:{tmp_path / 't.csv'}").load()


def test_odds_mat(tmp_path):
    scipy.io.savemat(tmp_path / "o.mat", {"X": np.arange(6.0).reshape(3, 2), "y": np.array([[0], [1], [0]])})
    data, _ = get_source(f"mat:{tmp_path / 'o.mat'}").load()
    assert data.x.shape == (3, 2) and data.y.tolist() == [0, 1, 0]
    scipy.io.savemat(tmp_path / "bad.mat", {"Z": np.ones((2, 2))})
    with pytest.raises(ValueError, match="no variable 'X'"):
        get_source(f"mat:{tmp_path / 'bad.mat'}").load()


def test_source_name_by_ending(tmp_path):
    assert source_name("digits") == "digits"
    assert source_name("csv:x.txt") == "csv:x.txt"
    assert source_name("data/t.csv") == "csv:data/t.csv"
    assert source_name("odds/wine.MAT") == "mat:odds/wine.MAT"
    assert source_name(str(tmp_path)) == f"folder:{tmp_path}"
    assert source_name("no-such-thing") == "no-such-thing"
