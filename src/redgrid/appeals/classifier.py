"""Classifier of citizen appeal (诉求) texts into first-level categories (城乡建设, 环境保护, …).

Pure Python: no Django, no database, so the benchmark and the tests can run it on their own.

A text is "title\\ndetail": the first line is taken as the title (see `read_labelled_csv`, which builds
texts that way). Texts without a line break use their first sentence as the title.

The model, in the order `AppealClassifier.fit` applies it:

1. Normalise each text (`normalise_text`): full-width to half-width, drop URLs and Excel "_x000D_"
   artefacts, replace place codes such as "A市" or "A3区" by "某", every digit run by "0", and lower-case
   the rest. Place codes are what anonymised message boards use instead of real names; a model that
   learnt them would be learning the city, not the matter.
2. Four TF-IDF blocks (sublinear tf), joined side by side: jieba words (1–2 grams, stopwords removed) and
   characters (1–3 grams) of the title, and the same two of the whole text. The title gets its own
   blocks because it is short and on topic, while the detail is long and full of generic complaint
   wording; characters catch words jieba splits differently.
3. A linear SVM (LinearSVC, balanced class weights, because the categories are very unequal in size).
4. Temperature scaling of the SVM scores on cross-validated predictions (`CalibratedClassifierCV`,
   method="temperature", ensemble=False) for the confidence. One temperature for all classes keeps the
   order of the scores, so the predicted category is exactly the SVM's.

`cross_validate_macro_f1` measures it, `demo_training_set` gives the training set the demo platform
ships (our own written examples plus the taxonomy's names), and `bench/classifier_cv.py` prints the
figures.
"""

from __future__ import annotations

import csv
import functools
import importlib.resources
import logging
import re
import time
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import jieba
import joblib
import numpy as np
import sklearn
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.exceptions import InconsistentVersionWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

__all__ = [
    "AppealClassifier",
    "cross_validate_macro_f1",
    "demo_training_set",
    "normalise_text",
    "read_labelled_csv",
    "taxonomy_examples",
]

# jieba prints "Building prefix dict…" at DEBUG level on first use; keep test and server logs clean.
jieba.setLogLevel(logging.WARNING)

FORMAT_VERSION = 1
_FILE_KIND = "redgrid.appeals.AppealClassifier"

# Separates the title from the whole text inside one prepared document; never occurs in real text.
_PART_SEP = "\x1f"
# Title length cap when a text has no line break and no sentence end early on.
_TITLE_MAX_CHARS = 60

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# Letters (and digits) right before an administrative unit: "A市", "A3区", "K5县", "M6州", "J10 县".
_PLACE_CODE = re.compile(r"[A-Za-z]+\d*\s*(?=[省市州盟县区旗镇乡村街])")
_DIGITS = re.compile(r"\d+")
_SENTENCE_END = re.compile(r"[。！？!?；;]")


def normalise_text(text: str) -> str:
    """The text as the model sees it (step 1 of the module docstring); line breaks are kept."""
    text = unicodedata.normalize("NFKC", text or "")
    text = text.replace("_x000D_", " ")
    text = _URL.sub(" ", text)
    text = _PLACE_CODE.sub("某", text)
    text = _DIGITS.sub("0", text)
    return text.lower()


def _split_title(text: str) -> str:
    """The title of a normalised text: its first non-empty line, else its first sentence."""
    text = text.strip()
    if "\n" in text:
        return text.split("\n", 1)[0].strip()
    end = _SENTENCE_END.search(text)
    return text[: end.start()] if end and end.start() <= _TITLE_MAX_CHARS else text[:_TITLE_MAX_CHARS]


def _prepare(texts: Iterable[str]) -> list[str]:
    """One document per text: normalised title and normalised whole text, separated by _PART_SEP."""
    prepared = []
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"诉求文本必须是字符串，收到的是 {type(text).__name__}")
        full = normalise_text(text).replace(_PART_SEP, " ")
        prepared.append(_split_title(full) + _PART_SEP + full)
    return prepared


# The vectorizers get these module-level functions (not lambdas) so that joblib can pickle them. Saved
# models refer to them by name: renaming or changing them means bumping FORMAT_VERSION.
def _title_part(document: str) -> str:
    return document.split(_PART_SEP, 1)[0]


def _full_part(document: str) -> str:
    return document.split(_PART_SEP, 1)[1]


@functools.cache
def _stopwords() -> frozenset[str]:
    source = importlib.resources.files("redgrid.appeals") / "data" / "stopwords_zh.txt"
    lines = source.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@functools.cache
def _jieba() -> jieba.Tokenizer:
    # A private tokenizer: words another module adds to jieba's global dictionary must not change what
    # a trained model sees (the default dictionary is fixed, so the cut is deterministic).
    return jieba.Tokenizer()


def _words(text: str) -> list[str]:
    stop = _stopwords()
    return [w for w in _jieba().lcut(text) if w.strip() and w not in stop]


def _features(title_weight: float) -> FeatureUnion:
    def words(part: Callable[[str], str]) -> TfidfVectorizer:
        return TfidfVectorizer(
            preprocessor=part,
            tokenizer=_words,
            token_pattern=None,
            lowercase=False,
            ngram_range=(1, 2),
            sublinear_tf=True,
        )

    def chars(part: Callable[[str], str], min_df: int) -> TfidfVectorizer:
        return TfidfVectorizer(
            preprocessor=part,
            analyzer="char",
            lowercase=False,
            ngram_range=(1, 3),
            min_df=min_df,
            sublinear_tf=True,
        )

    return FeatureUnion(
        [
            ("title_words", words(_title_part)),
            ("title_chars", chars(_title_part, 1)),
            ("text_words", words(_full_part)),
            # Character trigrams seen once in long texts are mostly names and typos: min_df=2.
            ("text_chars", chars(_full_part, 2)),
        ],
        transformer_weights={"title_words": title_weight, "title_chars": title_weight},
    )


def _predict_proba(pipeline: Pipeline, documents: list[str]) -> np.ndarray:
    """`pipeline.predict_proba(documents)` without FeatureUnion's joblib dispatch, which costs more than
    the four vectorizers themselves for the single text of an intake: the same blocks, the same weights
    and the same sparse hstack, so the same numbers (tests compare the two)."""
    union, model = pipeline.steps[0][1], pipeline.steps[-1][1]
    if len(pipeline.steps) != 2 or not isinstance(union, FeatureUnion) or union.n_jobs not in (None, 1):
        return pipeline.predict_proba(documents)
    weights = union.transformer_weights or {}
    blocks = []
    for name, transformer in union.transformer_list:
        block = transformer.transform(documents)
        blocks.append(block if weights.get(name) is None else block * weights[name])
    return model.predict_proba(sparse.hstack(blocks).tocsr())


class AppealClassifier:
    """Predicts the first-level category of appeal texts ("title\\ndetail"), with a confidence.

    Usage: ``AppealClassifier().fit(texts, labels).predict_with_confidence(["小区路灯不亮\\n晚上很黑"])``
    gives e.g. ``[("城乡建设", 0.83)]``.

    Parameters: `c` is the SVM's regularisation (smaller = smoother), `title_weight` scales the title
    blocks against the whole-text blocks, `seed` fixes the calibration folds and the SVM's solver.
    The defaults were chosen by 5-fold cross-validation on the 2020 message-board data.
    """

    def __init__(self, c: float = 0.3, title_weight: float = 0.7, seed: int = 0) -> None:
        self.c = c
        self.title_weight = title_weight
        self.seed = seed
        self._pipeline: Pipeline | None = None

    # --- training ------------------------------------------------------------------------------------

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> AppealClassifier:
        """Train on texts and their category names; returns self.

        Every category needs at least 2 examples, because the confidence is calibrated on
        cross-validated scores.
        """
        texts, labels = list(texts), [str(label) for label in labels]
        if len(texts) != len(labels):
            raise ValueError(f"文本数（{len(texts)}）与类别数（{len(labels)}）不一致")
        counts = Counter(labels)
        if len(counts) < 2:
            raise ValueError("训练数据至少需要两个不同的类别")
        rare = sorted(label for label, n in counts.items() if n < 2)
        if rare:
            raise ValueError(f"每个类别至少需要 2 条训练样本，以下类别不足：{'、'.join(rare)}")
        folds = min(3, min(counts.values()))
        svm = LinearSVC(C=self.c, class_weight="balanced", random_state=self.seed)
        calibrated = CalibratedClassifierCV(
            svm,
            method="temperature",
            cv=StratifiedKFold(folds, shuffle=True, random_state=self.seed),
            ensemble=False,
        )
        pipeline = Pipeline([("features", _features(self.title_weight)), ("svm", calibrated)])
        pipeline.fit(_prepare(texts), np.array(labels, dtype=object))
        self._pipeline = pipeline
        return self

    # --- prediction ----------------------------------------------------------------------------------

    @property
    def classes_(self) -> list[str]:
        """The categories the model knows, in the column order of its probabilities."""
        return [str(label) for label in self._fitted().classes_]

    def predict(self, texts: Sequence[str]) -> list[str]:
        """The most likely category of each text."""
        return [label for label, _ in self.predict_with_confidence(texts)]

    def predict_with_confidence(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """(category, probability of that category between 0 and 1) for each text."""
        probabilities = self._probabilities(texts)
        classes = self.classes_
        best = probabilities.argmax(axis=1)
        return [(classes[i], float(row[i])) for i, row in zip(best, probabilities, strict=True)]

    def top_k(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        """The k most likely categories of one text with their probabilities, most likely first."""
        row = self._probabilities([text])[0]
        order = np.argsort(-row, kind="stable")[: max(k, 0)]
        classes = self.classes_
        return [(classes[i], float(row[i])) for i in order]

    def _probabilities(self, texts: Sequence[str]) -> np.ndarray:
        if isinstance(texts, str):
            # A bare string would be read as a list of characters; almost certainly a mistake.
            raise TypeError("请传入文本列表，例如 [text]，而不是单个字符串")
        pipeline = self._fitted()
        texts = list(texts)
        if not texts:
            return np.zeros((0, len(pipeline.classes_)))
        return _predict_proba(pipeline, _prepare(texts))

    def _fitted(self) -> Pipeline:
        if self._pipeline is None:
            raise RuntimeError("分类模型尚未训练，请先调用 fit()")
        return self._pipeline

    # --- persistence ---------------------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Write the trained model to `path` (joblib), with its format and scikit-learn versions."""
        joblib.dump(
            {
                "kind": _FILE_KIND,
                "format_version": FORMAT_VERSION,
                "sklearn_version": sklearn.__version__,
                "params": {"c": self.c, "title_weight": self.title_weight, "seed": self.seed},
                "pipeline": self._fitted(),
            },
            path,
        )

    @classmethod
    def load(cls, path: str | Path) -> AppealClassifier:
        """Read a model written by `save`.

        Only load files you wrote yourself: joblib files are pickles and can run code when loaded.
        Raises FileNotFoundError for a missing file and ValueError for a file that is not a model of
        this format version; warns when it was trained with another scikit-learn version.
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"模型文件不存在：{path}")
        try:
            with warnings.catch_warnings():
                # Our own check below gives the version warning in terms the operator can act on.
                warnings.simplefilter("ignore", category=InconsistentVersionWarning)
                stored = joblib.load(path)
        except Exception as exc:  # unpickling garbage can raise almost anything
            raise ValueError(f"文件不是诉求分类模型，无法读取：{path}") from exc
        if not isinstance(stored, dict) or stored.get("kind") != _FILE_KIND:
            raise ValueError(f"文件不是诉求分类模型：{path}")
        if stored.get("format_version") != FORMAT_VERSION:
            raise ValueError(
                f"模型文件格式版本为 {stored.get('format_version')}，当前程序需要版本 {FORMAT_VERSION}，"
                "请重新训练模型"
            )
        if stored.get("sklearn_version") != sklearn.__version__:
            warnings.warn(
                f"模型由 scikit-learn {stored.get('sklearn_version')} 训练，当前为 {sklearn.__version__}，"
                "预测结果可能不同，建议重新训练",
                stacklevel=2,
            )
        model = cls(**stored["params"])
        model._pipeline = stored["pipeline"]
        return model


# --- data --------------------------------------------------------------------------------------------


def read_labelled_csv(
    path: str | Path, text_columns: list[str], label_column: str | None
) -> tuple[list[str], list[str] | None, list[dict[str, str]]]:
    """Read a UTF-8 CSV (with or without BOM) of appeals.

    Returns (texts, labels, rows): each text joins the row's non-empty `text_columns` with a newline
    (so put the title column first), labels are the `label_column` values (None when no label column
    is asked for), rows are the CSV rows as dicts. Raises ValueError in Chinese for a missing column,
    an empty label, an empty file or a file that is not UTF-8.
    """
    path = Path(path)
    try:
        # utf-8-sig drops a BOM when there is one (Excel writes it) and reads plain UTF-8 as well.
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in (reader.fieldnames or [])]
            if not header:
                raise ValueError(f"CSV 文件为空：{path}")
            reader.fieldnames = header
            missing = [
                c for c in [*text_columns, *([label_column] if label_column else [])] if c not in header
            ]
            if missing:
                raise ValueError(f"CSV 缺少列：{'、'.join(missing)}")
            rows = [{k: (v or "") for k, v in row.items() if k is not None} for row in reader]
    except UnicodeDecodeError as exc:
        raise ValueError(f"CSV 不是 UTF-8 编码，请另存为 UTF-8 后再导入：{path}") from exc

    texts = ["\n".join(row[c].strip() for c in text_columns if row[c].strip()) for row in rows]
    if label_column is None:
        return texts, None, rows
    labels = []
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        label = row[label_column].strip()
        if not label:
            raise ValueError(f"CSV 第 {line} 行缺少类别（{label_column}）")
        labels.append(label)
    return texts, labels, rows


def taxonomy_examples(taxonomy_rows: Iterable[tuple[str, str, str]]) -> tuple[list[str], list[str]]:
    """Short training examples from the taxonomy's names: "level3\\nlevel2 level3" → level1.

    The names ("公共汽车", "冬季采暖", "住房保障与房地产" …) carry the classification standard's own
    idea of where a matter belongs, which the labelled data alone teaches only by example. "其他" says
    nothing and is skipped; a level2 whose only level3 is "其他" still gives a "level2\\nlevel2" example.
    """
    seen: dict[tuple[str, str], None] = {}
    for row in taxonomy_rows:
        level1, level2, level3 = (str(name).strip() for name in row)
        if not level1:
            continue
        names = [n for n in (level2, level3) if n and n != "其他"]
        if not names:
            continue
        seen[(f"{names[-1]}\n{' '.join(names)}", level1)] = None
    return [text for text, _ in seen], [label for _, label in seen]


def demo_training_set(
    taxonomy_rows: list[tuple[str, str, str]] | None = None,
) -> tuple[list[str], list[str]]:
    """The demo platform's training set: the shipped examples.csv, plus the taxonomy names when given.

    examples.csv (title, detail, label_l1) holds short appeals written for this project, at least 12 for
    each of the 15 first-level categories; `taxonomy_examples` turns the taxonomy rows into more.
    """
    source = importlib.resources.files("redgrid.appeals") / "data" / "examples.csv"
    with importlib.resources.as_file(source) as path:
        texts, labels, _ = read_labelled_csv(path, ["title", "detail"], "label_l1")
    if taxonomy_rows:
        extra_texts, extra_labels = taxonomy_examples(taxonomy_rows)
        texts, labels = texts + extra_texts, labels + extra_labels
    return texts, labels


# --- evaluation --------------------------------------------------------------------------------------


def cross_validate_macro_f1(
    texts: Sequence[str],
    labels: Sequence[str],
    folds: int = 5,
    seed: int = 0,
    *,
    extra_texts: Sequence[str] = (),
    extra_labels: Sequence[str] = (),
    make_model: Callable[[], object] = AppealClassifier,
) -> dict:
    """Stratified k-fold macro-F1 of a model on labelled texts.

    1. Split the texts into `folds` stratified folds (shuffled with `seed`).
    2. For each fold, train a fresh `make_model()` (anything with fit/predict on lists of texts) on the
       other folds plus the extra examples (e.g. `taxonomy_examples`); extra examples whose category
       does not occur in `labels` are left out, so the model cannot answer a category the data never
       uses. Extra examples are only ever trained on, never scored.
    3. Score the held-out fold with macro-F1 over the categories present in `labels`.

    Returns {"folds": [macro-F1 per fold], "mean": mean macro-F1, "fit_seconds": [fit time per fold]}.
    """
    texts, labels = list(texts), np.array([str(label) for label in labels], dtype=object)
    if len(texts) != len(labels):
        raise ValueError(f"文本数（{len(texts)}）与类别数（{len(labels)}）不一致")
    known = set(labels)
    extras = [(t, str(lab)) for t, lab in zip(extra_texts, extra_labels, strict=True) if str(lab) in known]
    categories = sorted(known)
    scores, seconds = [], []
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(np.zeros(len(texts)), labels):
        model = make_model()
        started = time.perf_counter()
        model.fit(
            [texts[i] for i in train] + [t for t, _ in extras],
            list(labels[train]) + [lab for _, lab in extras],
        )
        seconds.append(time.perf_counter() - started)
        predicted = list(model.predict([texts[i] for i in test]))
        scores.append(
            float(
                f1_score(list(labels[test]), predicted, labels=categories, average="macro", zero_division=0)
            )
        )
    return {"folds": scores, "mean": float(np.mean(scores)), "fit_seconds": seconds}
