"""The train/classify commands work on any labelled CSV and the demo trains its own model."""

import csv
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "examples.csv"


def test_train_then_classify_adds_prediction_and_confidence_to_every_row(tmp_path):
    model = tmp_path / "m.joblib"
    call_command("appeals_train", "--input", str(EXAMPLES), "--text-columns", "title,detail",
                 "--label-column", "label_l1", "--model", str(model))
    source = tmp_path / "in.csv"
    source.write_text("title,detail\n小区路灯不亮,晚上楼下路灯坏了好几天\n拖欠工资,公司三个月没发工资\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    call_command("appeals_classify", "--input", str(source), "--text-columns", "title,detail",
                 "--model", str(model), "--output", str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["title"] for r in rows] == ["小区路灯不亮", "拖欠工资"]
    assert rows[1]["predicted_category"] == "劳动和社会保障"
    assert all(0 < float(r["confidence"]) <= 1 for r in rows)


def test_a_missing_text_column_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("title,label_l1\n路灯,城乡建设\n", encoding="utf-8")
    with pytest.raises(CommandError, match="detail"):
        call_command("appeals_train", "--input", str(bad), "--model", str(tmp_path / "m.joblib"))


def test_classifying_with_a_file_that_is_not_a_model_is_a_clear_error(tmp_path):
    fake = tmp_path / "fake.joblib"
    fake.write_bytes(b"not a model")
    with pytest.raises(CommandError):
        call_command("appeals_classify", "--input", str(EXAMPLES), "--model", str(fake),
                     "--output", str(tmp_path / "o.csv"))


@pytest.mark.django_db
def test_the_demo_step_trains_and_keeps_a_model(tmp_path, monkeypatch):
    from redgrid.appeals.demo import train_demo_model
    from redgrid.demo import DemoContext

    monkeypatch.setenv("REDGRID_APPEALS_MODEL", str(tmp_path / "demo.joblib"))
    logs = []
    train_demo_model(DemoContext(scale="street", log=logs.append))
    assert (tmp_path / "demo.joblib").exists() and "训练" in logs[0]
    train_demo_model(DemoContext(scale="street", log=logs.append))
    assert "已存在" in logs[1]
