"""Hashed word n-grams and naive-Bayes log-count ratios: the coach's bag-of-words evidence.

The concept detectors in ``features.py`` catch the phrasings someone thought of; this block
catches the rest of the vocabulary a label tends to use ("tuition", "vacancy", "sweetheart").
For each label a table maps hashed unigrams and bigrams to the log ratio of how often they occur
in messages with and without the label (Wang & Manning's NB features, binarised); a message's
``nb`` score is the sum over the n-grams it contains, and the logistic regression in
``model.py`` learns how much that score counts next to the concepts.

Pure Python: hashing is ``zlib.crc32`` (stable across processes, unlike ``hash``), so the
artefact made at build time gives the same scores in every worker.
"""

from __future__ import annotations

import itertools
import math
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

BUCKETS = 1 << 18
# Laplace smoothing of the counts, and the fewest training messages an n-gram must appear in to
# get a ratio at all: a word seen once says more about that one message than about the label.
ALPHA = 0.5
MIN_DOCS = 2
# Ratios are kept to two decimals and dropped when this close to zero (no evidence either way),
# in training too, so cross-validation scores exactly what ships in model.json.
MIN_RATIO = 0.05

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})
# Placeholders keep what a token *is* where its exact value does not generalise.
_SUBSTITUTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"https?://\S+|www\.\S+"), " zzurl "),
    (re.compile(r"\S+@\S+\.\w+"), " zzemail "),
    (re.compile(r"[$€£₦¥₹]\s?\d[\d,.]*\s?[km]?\b|\b\d[\d,.]*\s?(?:usd|eur|gbp|dollars|euros)\b"),
     " zzmoney "),
    (re.compile(r"\b\d[\d,.]*\s?%"), " zzpercent "),
    (re.compile(r"\d+"), " zznum "),
)
_TOKEN = re.compile(r"[a-z\u00c0-\u024f]+(?:'[a-z]+)?|[\U0001f300-\U0001faff\u2600-\u27bf]|[?!]")
_SENTENCE_BREAK = re.compile(r"[.;:\n]+")


def _stem(word: str) -> str:
    """A deliberately light suffix strip, so "openings"/"opening" and "hired"/"hire" meet."""
    if word.endswith("'s"):
        word = word[:-2]
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word


def tokens(text: str) -> list[list[str]]:
    """Stemmed word tokens of ``text`` per sentence (lower-cased, numbers and money folded)."""
    folded = text.translate(_APOSTROPHES).lower()
    for pattern, placeholder in _SUBSTITUTIONS:
        folded = pattern.sub(placeholder, folded)
    return [
        [_stem(t) for t in _TOKEN.findall(sentence)]
        for sentence in _SENTENCE_BREAK.split(folded)
    ]


def _bucket(gram: str) -> int:
    return zlib.crc32(gram.encode("utf-8")) % BUCKETS


def grams(text: str) -> frozenset[int]:
    """Hashed unigrams and within-sentence bigrams present in ``text`` (each counted once)."""
    found: set[int] = set()
    for sentence in tokens(text):
        found.update(_bucket(w) for w in sentence)
        found.update(_bucket(f"{a} {b}") for a, b in itertools.pairwise(sentence))
    return frozenset(found)


def fit_ratios(docs: Sequence[frozenset[int]], labels: Sequence[bool]) -> dict[int, float]:
    """Binarised NB log-count ratios ``log(P(g | label) / P(g | not label))``, rounded to two
    decimals, for every n-gram seen in at least ``MIN_DOCS`` of ``docs`` whose ratio is at least
    ``MIN_RATIO`` away from zero; empty when one class is missing."""
    df: Counter[int] = Counter()
    pos: Counter[int] = Counter()
    for doc, label in zip(docs, labels, strict=True):
        df.update(doc)
        if label:
            pos.update(doc)
    vocab = [g for g, n in df.items() if n >= MIN_DOCS]
    n_pos = sum(1 for label in labels if label)
    if not vocab or n_pos in (0, len(labels)):
        return {}
    p_total = sum(pos[g] for g in vocab) + ALPHA * len(vocab)
    q_total = sum(df[g] - pos[g] for g in vocab) + ALPHA * len(vocab)
    ratios = {
        g: round(
            math.log((pos[g] + ALPHA) / p_total) - math.log((df[g] - pos[g] + ALPHA) / q_total), 2
        )
        for g in vocab
    }
    return {g: r for g, r in ratios.items() if abs(r) >= MIN_RATIO}


def nb_score(doc: Iterable[int], ratios: Mapping[int, float]) -> float:
    """The summed ratio of ``doc``'s n-grams, scaled by the square root of how many carry a
    ratio, so a long message is not judged by its length."""
    values = [ratios[g] for g in doc if g in ratios]
    return sum(values) / math.sqrt(len(values)) if values else 0.0
