"""The faster intake paths (bench/appeals_intake.py) answer exactly as the plain ones did."""

import numpy as np
import pytest

from redgrid.appeals import services as s
from redgrid.appeals.classifier import AppealClassifier, _predict_proba, _prepare, read_labelled_csv
from redgrid.appeals.tests.test_commands import EXAMPLES


def test_the_direct_prediction_gives_the_pipelines_probabilities():
    texts, labels, _rows = read_labelled_csv(
        EXAMPLES, text_columns=["title", "detail"], label_column="label_l1"
    )
    model = AppealClassifier().fit(texts, labels)
    documents = _prepare(texts[:40] + ["楼下路灯不亮", "", "拖欠工资三个月"])
    direct = np.vstack([_predict_proba(model._pipeline, [d]) for d in documents])
    assert np.array_equal(direct, model._pipeline.predict_proba(documents))
    assert np.array_equal(_predict_proba(model._pipeline, documents), direct)


@pytest.fixture
def unlocated(world):
    """Appeals at a point near 广文街道 but in none of its grids (its triage queue)."""

    def _submit(content, reporter="resident"):
        return s.appeal_submit(actor=world.user(reporter), content=content, lat=36.72, lng=119.105)

    return _submit


def test_text_similar_unlocated_appeals_of_the_street_are_candidates_with_their_short_title(unlocated):
    first = unlocated("文化路口的下水道井盖丢了，晚上路过很危险，请尽快处理一下").appeal
    result = unlocated("文化路口下水道井盖丢了，晚上路过很危险，请尽快处理")
    assert result.appeal.grid_id is None and result.appeal.street_id == first.street_id
    assert [d["id"] for d in result.duplicates] == [first.pk]
    assert result.duplicates[0]["title"] == first.content[:30]
    assert result.duplicates[0]["reason"] == "text" and result.duplicates[0]["similarity"] >= 0.5


def test_an_appeal_merged_into_another_is_no_longer_a_duplicate_candidate(world, unlocated):
    text = "文化路口的下水道井盖丢了，晚上路过很危险，请尽快处理一下"
    kept = unlocated(text).appeal
    merged = unlocated(text).appeal
    s.appeal_merge(actor=world.user("street"), appeal=merged, into=kept)
    result = unlocated(text, reporter="member")
    assert [d["id"] for d in result.duplicates] == [kept.pk]
