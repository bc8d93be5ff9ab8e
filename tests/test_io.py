"""File writing that never loses work: atomic files, and folders replaced only once the new one is done."""

import pytest

from genlab.io import replacing_folder, write_atomically, write_text


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path):
    path = write_text(tmp_path / "notes.txt", "old")

    def half_then_fail(tmp):
        tmp.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(path, half_then_fail)
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_replacing_folder_restores_the_old_one_on_failure_and_drops_it_on_success(tmp_path):
    folder = tmp_path / "report"
    folder.mkdir()
    (folder / "old.txt").write_text("old")
    with pytest.raises(KeyboardInterrupt), replacing_folder(folder):
        assert not folder.exists()  # set aside while the new one is written
        folder.mkdir()
        (folder / "half.txt").write_text("half")
        raise KeyboardInterrupt
    assert [p.name for p in folder.iterdir()] == ["old.txt"]
    with replacing_folder(folder):
        folder.mkdir()
        (folder / "new.txt").write_text("new")
    assert [p.name for p in folder.iterdir()] == ["new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["report"]  # nothing set aside is left over
