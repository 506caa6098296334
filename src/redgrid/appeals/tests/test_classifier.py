"""The appeal text classifier: learning, confidence, persistence and CSV reading (no database).

Self-contained: trains on the shipped examples.csv only, never on the shared data directory.
"""

import csv

import joblib
import pytest

from redgrid.appeals.classifier import (
    FORMAT_VERSION,
    AppealClassifier,
    demo_training_set,
    normalise_text,
    read_labelled_csv,
    taxonomy_examples,
)

# Fresh sentences, not in examples.csv, each clearly about one first-level category.
FRESH = [
    ("工厂烟囱天天冒黑烟\n附近的工厂每天往外排黑烟，空气里都是刺鼻的味道，晾的衣服都变黑了", "环境保护"),
    ("孩子上一年级分不到学位\n我们家户口在本区，今年孩子上一年级却被告知没有学位", "教育文体"),
    ("地下车库没有手机信号\n小区地下车库和电梯里手机都没有信号，希望运营商装信号放大器", "科技与信息产业"),
    ("新生儿上户口难\n孩子出生后去派出所上户口，要求提供的材料太多，跑了好几次", "政法"),
    ("单元门口路灯不亮\n我们单元门口的路灯坏了两个星期，晚上黑漆漆的，请物业修一下", "城乡建设"),
    ("打了疫苗后发烧\n孩子在社区医院打完疫苗后持续发烧，医生说不清原因", "卫生计生"),
]


@pytest.fixture(scope="module")
def model():
    texts, labels = demo_training_set(None)
    return AppealClassifier().fit(texts, labels)


def write_csv(path, rows, encoding="utf-8"):
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_it_learns_categories_from_written_examples(model):
    texts = [text for text, _ in FRESH]
    assert model.predict(texts) == [label for _, label in FRESH]


def test_confidence_is_between_zero_and_one(model):
    results = model.predict_with_confidence([text for text, _ in FRESH] + ["你好", ""])
    assert len(results) == len(FRESH) + 2
    for label, confidence in results:
        assert label in model.classes_
        assert 0.0 <= confidence <= 1.0


def test_top_k_gives_the_most_likely_categories_first_and_agrees_with_predict(model):
    text = FRESH[0][0]
    top = model.top_k(text, k=3)
    assert len(top) == 3
    assert [p for _, p in top] == sorted((p for _, p in top), reverse=True)
    assert top[0] == model.predict_with_confidence([text])[0]
    assert sum(p for _, p in model.top_k(text, k=len(model.classes_))) == pytest.approx(1.0)


def test_a_single_string_instead_of_a_list_is_refused(model):
    with pytest.raises(TypeError, match="文本列表"):
        model.predict("路灯不亮")


def test_save_and_load_round_trip_gives_the_same_predictions(model, tmp_path):
    path = tmp_path / "appeals.joblib"
    model.save(path)
    loaded = AppealClassifier.load(path)
    texts = [text for text, _ in FRESH]
    assert loaded.predict_with_confidence(texts) == model.predict_with_confidence(texts)
    assert loaded.classes_ == model.classes_


def test_loading_a_non_model_file_gives_a_clear_error(tmp_path):
    text_file = tmp_path / "notes.joblib"
    text_file.write_text("这不是模型", encoding="utf-8")
    with pytest.raises(ValueError, match="不是诉求分类模型"):
        AppealClassifier.load(text_file)

    other_pickle = tmp_path / "other.joblib"
    joblib.dump({"weights": [1, 2, 3]}, other_pickle)
    with pytest.raises(ValueError, match="不是诉求分类模型"):
        AppealClassifier.load(other_pickle)

    with pytest.raises(FileNotFoundError, match="模型文件不存在"):
        AppealClassifier.load(tmp_path / "missing.joblib")


def test_loading_a_model_of_another_format_version_asks_for_retraining(tmp_path):
    path = tmp_path / "old.joblib"
    joblib.dump({"kind": "redgrid.appeals.AppealClassifier", "format_version": FORMAT_VERSION + 1}, path)
    with pytest.raises(ValueError, match="请重新训练"):
        AppealClassifier.load(path)


def test_an_untrained_model_says_so():
    with pytest.raises(RuntimeError, match="尚未训练"):
        AppealClassifier().predict(["路灯不亮"])


def test_a_category_with_a_single_example_is_refused():
    with pytest.raises(ValueError, match="至少需要 2 条.*民政"):
        AppealClassifier().fit(["路灯不亮", "路灯坏了", "低保"], ["城乡建设", "城乡建设", "民政"])


def test_reading_a_csv_with_a_missing_column_names_the_column(tmp_path):
    path = write_csv(tmp_path / "appeals.csv", [["title", "label_l1"], ["路灯不亮", "城乡建设"]])
    with pytest.raises(ValueError, match="CSV 缺少列：detail"):
        read_labelled_csv(path, ["title", "detail"], "label_l1")


def test_bom_is_ignored(tmp_path):
    rows = [["title", "detail", "label_l1"], ["路灯不亮", "晚上很黑", "城乡建设"]]
    with_bom = write_csv(tmp_path / "bom.csv", rows, encoding="utf-8-sig")
    without_bom = write_csv(tmp_path / "plain.csv", rows)
    assert with_bom.read_bytes().startswith(b"\xef\xbb\xbf")
    for path in (with_bom, without_bom):
        texts, labels, records = read_labelled_csv(path, ["title", "detail"], "label_l1")
        assert texts == ["路灯不亮\n晚上很黑"]
        assert labels == ["城乡建设"]
        assert records[0]["title"] == "路灯不亮"


def test_reading_without_a_label_column_gives_no_labels(tmp_path):
    path = write_csv(tmp_path / "new.csv", [["title", "detail"], ["路灯不亮", ""]])
    texts, labels, _ = read_labelled_csv(path, ["title", "detail"], None)
    assert texts == ["路灯不亮"]
    assert labels is None


def test_a_csv_that_is_not_utf8_gives_a_clear_error(tmp_path):
    path = write_csv(
        tmp_path / "gbk.csv", [["title", "detail", "label_l1"], ["路灯不亮", "晚上很黑", "城乡建设"]], "gbk"
    )
    with pytest.raises(ValueError, match="UTF-8"):
        read_labelled_csv(path, ["title", "detail"], "label_l1")


def test_place_codes_and_digits_are_normalised_away():
    assert normalise_text("A市A3区K5县１２路公交") == "某市某区某县0路公交"
    assert normalise_text("详见https://example.com/x 的KTV") == "详见  的ktv"


def test_taxonomy_names_become_short_examples_and_other_is_skipped():
    texts, labels = taxonomy_examples(
        [("城乡建设", "市政设施", "路灯维修"), ("城乡建设", "市政设施", "其他"), ("民政", "其他", "其他")]
    )
    assert texts == ["路灯维修\n市政设施 路灯维修", "市政设施\n市政设施"]
    assert labels == ["城乡建设", "城乡建设"]


def test_the_demo_training_set_covers_all_fifteen_categories_with_at_least_twelve_examples():
    texts, labels = demo_training_set(None)
    counts = {label: labels.count(label) for label in set(labels)}
    assert len(counts) == 15
    assert min(counts.values()) >= 12
    more_texts, more_labels = demo_training_set([("民政", "社会救助", "临时救助")])
    assert more_texts[-1] == "临时救助\n社会救助 临时救助"
    assert more_labels[-1] == "民政"
    assert len(more_texts) == len(texts) + 1
