import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from redgrid.appeals.classifier import AppealClassifier, read_labelled_csv


class Command(BaseCommand):
    help = "用带标签的 CSV 训练诉求分类模型并保存（例：--input f.csv --text-columns title,detail --label-column label_l1 --model m.joblib）"

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, type=Path, help="带标签的 CSV（UTF-8，可带 BOM）")
        parser.add_argument("--text-columns", default="title,detail", help="拼接为文本的列，逗号分隔")
        parser.add_argument("--label-column", default="label_l1", help="标签列")
        parser.add_argument("--model", required=True, type=Path, help="模型保存路径")

    def handle(self, *args, input, text_columns, label_column, model, **options):
        columns = [c.strip() for c in text_columns.split(",") if c.strip()]
        try:
            texts, labels, _ = read_labelled_csv(input, columns, label_column)
        except (ValueError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        if len(set(labels)) < 2:
            raise CommandError("至少需要两个不同的类别才能训练")
        started = time.monotonic()
        classifier = AppealClassifier().fit(texts, labels)
        model.parent.mkdir(parents=True, exist_ok=True)
        classifier.save(model)
        self.stdout.write(f"已用 {len(texts)} 条、{len(set(labels))} 个类别训练，用时 {time.monotonic() - started:.1f} 秒，保存到 {model}")
