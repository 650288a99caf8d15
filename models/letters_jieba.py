"""jieba, which cuts a Chinese letter into words, on the dictionary this package ships:
models/jieba_dict.txt, the words of jieba's own dict.txt used at least 100 times.

Why a trimmed dictionary: jieba's own (349k words) takes ~0.4 s to load in every process
that reads a Chinese letter, and `complaints triage letter.eml` should answer within
0.5 s. Its 36k common words read every labelled letter the same
(tests/unit/test_letter_accuracy.py) and load in ~0.03 s; rarer words are cut by jieba's
HMM as before, and the lexicon's own terms are added whole.

Why read the file here rather than in `Tokenizer.initialize`: jieba caches what it reads
in a file in the temporary directory, shared by all users and not writable everywhere
(a failed write is a traceback on stderr). The dictionary is small enough to read on
every start, so nothing is written.

    .venv/bin/python -m models.letters_jieba     # remake jieba_dict.txt after a jieba upgrade
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

DICTIONARY = Path(__file__).with_name("jieba_dict.txt")
LEAST = 100  # how often jieba's corpus used a word for it to be kept
LICENCE = """\
The MIT License (MIT)

Copyright (c) 2013 Sun Junyi

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of
the Software, and to permit persons to whom the Software is furnished to do so,
subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS
FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


def tokenizer(words: Iterable[str], dictionary: Path = DICTIONARY) -> Any:
    """A jieba tokenizer of its own on `dictionary` that cuts each of `words` whole;
    jieba is imported here, quietly, and nothing is written to disk."""
    jieba = _quiet_jieba()
    made = jieba.Tokenizer(str(dictionary))
    # What `initialize` would set after reading the file (jieba's gen_pfdict): every
    # word's count, the total, and each word's beginnings at 0 (how it finds candidates).
    made.FREQ, made.total = frequencies(dictionary)
    made.initialized = True
    for word in words:
        made.add_word(word)  # with the count that makes jieba keep it whole
    return made


def frequencies(dictionary: Path) -> tuple[dict[str, int], int]:
    """Each word's count and each beginning of a word at 0, and the counts' total: the
    table jieba looks words up in. Lines beginning with # are comments."""
    counts: dict[str, int] = {}
    with dictionary.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip() and not line.startswith("#"):
                word, count = line.split()[:2]
                counts[word] = int(count)
    total = sum(counts.values())
    for word in list(counts):
        for end in range(1, len(word)):
            counts.setdefault(word[:end], 0)
    return counts, total


def _quiet_jieba() -> ModuleType:
    """jieba, imported without pkg_resources: jieba uses it only to open its own files
    (and opens them itself without it), never for this tokenizer, and it costs ~0.07 s
    to import and a deprecation warning on stderr from newer setuptools."""
    absent = "pkg_resources" not in sys.modules
    if absent:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # import fails
    try:
        import jieba
    finally:
        if absent and sys.modules.get("pkg_resources", ...) is None:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(logging.WARNING)  # its import sets DEBUG: "Building prefix dict..."
    return jieba


def build(source: Path, target: Path = DICTIONARY, *, least: int = LEAST,
          version: str = "") -> int:
    """Write `target` from jieba's `source` dict.txt: the words counted at least `least`
    times, as `word count`, in jieba's order, under a header saying how and the licence.
    Returns the number of words kept."""
    kept = []
    for line in source.read_text(encoding="utf-8").splitlines():
        word, count = line.split()[:2]
        if int(count) >= least:
            kept.append(f"{word} {count}\n")
    header = [f"jieba {version} dict.txt, the words counted at least {least} times, for",
              "the letter reader (models/letters_jieba.py). Made by",
              "`python -m models.letters_jieba`; do not edit (add words to lexicon.yaml).",
              "jieba: https://github.com/fxsjy/jieba, under this licence:", "",
              *LICENCE.splitlines()]
    text = "".join(f"# {line}".rstrip() + "\n" for line in header) + "".join(kept)
    target.write_text(text, encoding="utf-8", newline="\n")
    return len(kept)


def main(argv: list[str] | None = None) -> None:
    args = argparse.ArgumentParser(description="Remake models/jieba_dict.txt from the "
                                   "installed jieba's dict.txt.")
    args.add_argument("--least", type=int, default=LEAST)
    args.add_argument("--target", type=Path, default=DICTIONARY)
    options = args.parse_args(argv)
    jieba = _quiet_jieba()
    source = Path(str(jieba.__file__)).with_name("dict.txt")
    kept = build(source, options.target, least=options.least, version=jieba.__version__)
    print(f"{options.target}: {kept} words of {source}")


if __name__ == "__main__":
    main()
