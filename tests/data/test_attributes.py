"""folder:PATH,attributes=FILE.csv: a user's folder carries each image's attributes as its factors."""

from __future__ import annotations

import pytest
import torch

from face_folders import write_csv, write_faces, write_others
from genlab.data import DataSpec, get_source, load_all, load_splits
from genlab.errors import DataError


def test_a_folder_carries_the_csv_attributes_as_named_levels(tmp_path):
    skins = ["dark", "light", "light", "dark", "light", "light"]
    names = write_faces(tmp_path / "faces", skins)
    glasses = ["1", "-1", "-1", "", "1", "10"]  # numbers sort as numbers; an empty cell is unknown
    write_csv(
        tmp_path / "attrs.csv", ["file", "skin", "glasses"], [list(r) for r in zip(names, skins, glasses)]
    )
    train, test = get_source(f"folder:{tmp_path / 'faces'},attributes={tmp_path / 'attrs.csv'}").load()
    assert test is None and train.y is None
    assert train.factor_names == ("skin", "glasses")
    assert train.factor_levels == (("dark", "light"), ("-1", "1", "10"))
    # images are read in sorted file order, so row i is file i
    assert train.factor("skin").tolist() == [0, 1, 1, 0, 1, 1]
    assert train.factor("glasses").tolist() == [1, 0, 0, -1, 1, 2]
    assert train.level_name("skin", 0) == "dark" and train.level_name("glasses", 2) == "10"
    # the attributes travel with their images through the seeded split
    splits = load_splits(
        DataSpec(f"folder:{tmp_path / 'faces'},attributes={tmp_path / 'attrs.csv'}", val_fraction=0.2)
    )
    together = torch.cat([splits.train.factors, splits.val.factors, splits.test.factors])
    assert sorted(map(tuple, together.tolist())) == sorted(map(tuple, train.factors.tolist()))
    assert splits.test.factor_levels == train.factor_levels


def test_the_csv_is_found_inside_the_folder_and_class_folders_it_does_not_mention_are_unknown(tmp_path):
    faces = write_faces(tmp_path / "det" / "1-faces", ["dark", "light", "light"])
    write_others(tmp_path / "det" / "0-other", 4)
    write_csv(
        tmp_path / "det" / "faces.csv",
        ["file", "skin"],
        [[f"1-faces/{faces[0]}", "dark"], [f"1-faces/{faces[1]}", "light"], [f"1-faces/{faces[2]}", "light"]],
    )
    train, _ = get_source(
        f"folder:{tmp_path / 'det'}, attributes=faces.csv"
    ).load()  # a space after the comma is fine
    assert train.classes == ("0-other", "1-faces")
    assert train.factor("skin")[train.y == 0].tolist() == [-1] * 4  # the non-faces have no attributes
    assert train.factor("skin")[train.y == 1].tolist() == [0, 1, 1]


def test_train_test_layout_with_attributes_for_the_test_part_only(tmp_path):
    write_faces(tmp_path / "train", ["light"] * 4)
    names = write_faces(tmp_path / "test", ["dark", "light"], prefix="t")
    write_csv(
        tmp_path / "a.csv", ["file", "skin"], [[f"test/{names[0]}", "dark"], [f"test/{names[1]}", "light"]]
    )
    name = f"folder:{tmp_path},attributes={tmp_path / 'a.csv'}"
    splits = load_splits(DataSpec(name, val_fraction=0.0))
    assert splits.test.factor("skin").tolist() == [0, 1]
    assert set(splits.train.factor("skin").tolist()) == {-1}
    everything = load_all(DataSpec(name))
    assert len(everything) == 6 and everything.factor("skin").tolist() == [-1] * 4 + [0, 1]


def test_an_empty_faces_folder_is_a_clear_error(tmp_path):
    write_others(tmp_path / "0-other", 3)
    (tmp_path / "1-faces").mkdir()
    with pytest.raises(DataError, match=r"class folder .*1-faces holds no images, but 0-other/ does"):
        get_source(f"folder:{tmp_path}").load()


def test_a_csv_without_a_file_column_lists_its_columns(tmp_path):
    names = write_faces(tmp_path / "faces", ["dark", "light"])
    write_csv(tmp_path / "a.csv", ["image_id", "skin"], [[n, "dark"] for n in names])
    with pytest.raises(DataError, match=r"no 'file' column \(its columns are image_id, skin\)"):
        get_source(f"folder:{tmp_path / 'faces'},attributes={tmp_path / 'a.csv'}").load()


def test_rows_naming_missing_files_are_counted_and_named(tmp_path):
    names = write_faces(tmp_path / "faces", ["dark", "light"])
    rows = [[n, "dark"] for n in names] + [[f"gone{i}.png", "light"] for i in range(5)]
    write_csv(tmp_path / "a.csv", ["file", "skin"], rows)
    with pytest.raises(
        DataError,
        match=r"^5 rows of a.csv name files that are not images in .*: gone0.png, gone1.png, gone2.png, \.\.\.",
    ):
        get_source(f"folder:{tmp_path / 'faces'},attributes={tmp_path / 'a.csv'}").load()
    # a path written without its class folder gets a hint
    write_csv(tmp_path / "b.csv", ["file", "skin"], [[n, "dark"] for n in names])
    (tmp_path / "det").mkdir()
    (tmp_path / "faces").rename(tmp_path / "det" / "1-faces")
    with pytest.raises(DataError, match=r"did you mean 1-faces/000.png\?"):
        get_source(f"folder:{tmp_path / 'det'},attributes={tmp_path / 'b.csv'}").load()


def test_images_without_a_row_are_counted_and_named(tmp_path):
    names = write_faces(tmp_path / "faces", ["dark"] * 6)
    write_csv(tmp_path / "a.csv", ["file", "skin"], [[names[0], "dark"], [names[1], "dark"]])
    with pytest.raises(
        DataError, match=r"^4 images in .* have no row in a.csv: 002.png, 003.png, 004.png, \.\.\."
    ):
        get_source(f"folder:{tmp_path / 'faces'},attributes={tmp_path / 'a.csv'}").load()


def test_other_csv_mistakes_are_clear(tmp_path):
    names = write_faces(tmp_path / "faces", ["dark", "light"])
    folder = tmp_path / "faces"
    cases = {
        "dup.csv": (["file", "skin"], [[names[0], "dark"], [names[0], "light"]], "two rows for 000.png"),
        "short.csv": (["file", "skin"], [[names[0]], [names[1], "x"]], "row 2: 1 cells but the header has 2"),
        "noattr.csv": (["file"], [[names[0]], [names[1]]], "no attribute columns"),
    }
    for file, (header, rows, message) in cases.items():
        write_csv(tmp_path / file, header, rows)
        with pytest.raises(DataError, match=message):
            get_source(f"folder:{folder},attributes={tmp_path / file}").load()
    with pytest.raises(DataError, match=r"no attributes CSV at nothing.csv \(nor at .*faces/nothing.csv\)"):
        get_source(f"folder:{folder},attributes=nothing.csv").load()
    with pytest.raises(DataError, match="unknown option 'size'; valid options are attributes"):
        get_source(f"folder:{folder},attributes=a.csv,size=3")
