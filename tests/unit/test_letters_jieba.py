"""jieba on the shipped dictionary (models/letters_jieba.py): loaded only when needed,
quietly, writing nothing, made from jieba's own dictionary and read as jieba reads it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from models import letters_jieba
from models.letters_jieba import DICTIONARY
from models.letters_lexicon import lexicon, segment
from tests.conftest import ROOT


def test_jieba_loads_only_for_a_chinese_letter_quietly_and_writes_no_cache(
    tmp_path: Path,
) -> None:
    """jieba's own loader caches its dictionary in the temporary directory: a read-only
    or shared one must not matter."""
    probe = ("import sys; from models.letters import read_letter; "
             "e = open('tests/data/letters/monitor_en.eml', 'rb').read(); read_letter(e); "
             "print('jieba' in sys.modules); "
             "z = open('tests/data/letters/aircon_zh.eml', 'rb').read(); read_letter(z); "
             "print('jieba' in sys.modules)")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "TMPDIR": str(temporary)})
    assert done.stdout.split() == ["False", "True"], done.stderr
    assert done.stderr == ""
    assert list(temporary.iterdir()) == []


def test_the_shipped_jieba_dictionary_is_remade_byte_for_byte_from_the_installed_jieba(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """After a jieba upgrade this fails until `python -m models.letters_jieba` is run."""
    remade = tmp_path / "jieba_dict.txt"
    letters_jieba.main(["--target", str(remade)])
    assert remade.read_bytes() == DICTIONARY.read_bytes()
    assert "36145 words" in capsys.readouterr().out


def test_the_shipped_dictionary_is_read_as_jieba_itself_reads_it() -> None:
    import jieba  # its reader, on the dictionary without the licence header

    lines = DICTIONARY.read_bytes().splitlines(keepends=True)
    words = b"".join(line for line in lines if not line.startswith(b"#"))
    assert letters_jieba.frequencies(DICTIONARY) == jieba.Tokenizer.gen_pfdict(
        io.BytesIO(words))


def test_every_chinese_term_of_the_lexicon_is_cut_as_one_word() -> None:
    split = [term for term in lexicon().chinese if segment(term) != [term]]
    assert split == []
    assert segment("店员到现在也没有道歉。") == ["店员", "到", "现在", "也", "没有道歉", "。"]
