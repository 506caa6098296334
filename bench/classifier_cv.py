"""Benchmark: macro-F1 of the appeal (诉求) classifier against a plain baseline, measured in one run.

    .venv/bin/python bench/classifier_cv.py [--input PATH] [--taxonomy PATH] [--folds 5] [--seed 0]

Prints, on the labelled message-board file (text = title + "\\n" + detail):

1. 5-fold stratified cross-validated macro-F1, per fold and mean, with the mean fit time, of
   (a) the baseline: character 1–2-gram TF-IDF + logistic regression on the raw text,
   (b) AppealClassifier trained on the labelled folds only,
   (c) AppealClassifier trained on the labelled folds plus the taxonomy's level2/level3 names as short
       examples (`taxonomy_examples`, only the categories the file uses). Same folds for all three.
2. Robustness across sources, each way round:
   - trained on the whole labelled file (without and with the taxonomy names), scored on our own
     written examples.csv restricted to the categories the file uses (text of "another city");
   - trained on the demo training set (examples.csv + taxonomy names, all 15 categories), scored on
     the labelled file, macro-F1 over the file's categories (answers outside them count as errors).
"""

import argparse
import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from redgrid.appeals.classifier import (  # noqa: E402
    AppealClassifier,
    cross_validate_macro_f1,
    demo_training_set,
    read_labelled_csv,
    taxonomy_examples,
)

SHARED = Path("/work/shared/data/appeals")


def baseline():
    """Plain character TF-IDF + logistic regression, with balanced weights so it is not a straw man."""
    return make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True),
        LogisticRegression(C=10, class_weight="balanced", max_iter=2000),
    )


def read_taxonomy(path: Path) -> list[tuple[str, str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [(r["level1"], r["level2"], r["level3"]) for r in csv.DictReader(handle)]


def report(name: str, result: dict) -> None:
    folds = "  ".join(f"{score:.4f}" for score in result["folds"])
    fit = sum(result["fit_seconds"]) / len(result["fit_seconds"])
    print(f"{name:<40} folds: {folds}   mean: {result['mean']:.4f}   fit: {fit:.2f} s/fold")


def macro_f1(truth: list[str], predicted: list[str]) -> float:
    return float(f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--input", type=Path, default=SHARED / "teddy2020_messages_labeled.csv")
    parser.add_argument("--taxonomy", type=Path, default=SHARED / "teddy2020_taxonomy_3level.csv")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    texts, labels, _ = read_labelled_csv(args.input, ["title", "detail"], "label_l1")
    taxonomy = read_taxonomy(args.taxonomy)
    tax_texts, tax_labels = taxonomy_examples(taxonomy)
    known = set(labels)
    print(
        f"{args.input.name}: {len(texts)} texts, {len(known)} categories; {args.folds}-fold, seed {args.seed}"
    )
    print(
        f"taxonomy: {len(tax_texts)} name examples, {sum(lab in known for lab in tax_labels)} in those categories"
    )

    print("\n1. cross-validated macro-F1")
    cv = dict(folds=args.folds, seed=args.seed)
    report(
        "(a) baseline char TF-IDF + LogReg", cross_validate_macro_f1(texts, labels, make_model=baseline, **cv)
    )
    report("(b) AppealClassifier", cross_validate_macro_f1(texts, labels, **cv))
    report(
        "(c) AppealClassifier + taxonomy names",
        cross_validate_macro_f1(texts, labels, extra_texts=tax_texts, extra_labels=tax_labels, **cv),
    )

    print("\n2. robustness across sources (macro-F1)")
    ex_texts, ex_labels = demo_training_set(None)
    shared = [(t, lab) for t, lab in zip(ex_texts, ex_labels, strict=True) if lab in known]
    extra = [(t, lab) for t, lab in zip(tax_texts, tax_labels, strict=True) if lab in known]
    for name, train in (("labelled file", []), ("labelled file + taxonomy names", extra)):
        started = time.perf_counter()
        model = AppealClassifier().fit(texts + [t for t, _ in train], labels + [lab for _, lab in train])
        seconds = time.perf_counter() - started
        score = macro_f1([lab for _, lab in shared], model.predict([t for t, _ in shared]))
        print(
            f"trained on {name:<31} scored on examples.csv ({len(shared)} in its categories): "
            f"{score:.4f}   (fit {seconds:.2f} s)"
        )

    demo_texts, demo_labels = demo_training_set(taxonomy)
    started = time.perf_counter()
    model = AppealClassifier().fit(demo_texts, demo_labels)
    seconds = time.perf_counter() - started
    score = macro_f1(labels, model.predict(texts))
    print(
        f"trained on demo set ({len(demo_texts)} examples, 15 categories) scored on the labelled file: "
        f"{score:.4f}   (fit {seconds:.2f} s)"
    )


if __name__ == "__main__":
    main()
