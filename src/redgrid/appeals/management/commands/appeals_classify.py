import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from redgrid.appeals.classifier import AppealClassifier, read_labelled_csv


class Command(BaseCommand):
    help = "用已训练的模型给 CSV 每一行加上 predicted_category 与 confidence 两列"

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, type=Path)
        parser.add_argument("--text-columns", default="title,detail")
        parser.add_argument("--model", required=True, type=Path)
        parser.add_argument("--output", required=True, type=Path)

    def handle(self, *args, input, text_columns, model, output, **options):
        columns = [c.strip() for c in text_columns.split(",") if c.strip()]
        try:
            classifier = AppealClassifier.load(model)
            texts, _, rows = read_labelled_csv(input, columns, None)
        except (ValueError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        predictions = classifier.predict_with_confidence(texts) if texts else []
        fieldnames = list(rows[0].keys()) if rows else columns
        output.parent.mkdir(parents=True, exist_ok=True)
        with output.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=[*fieldnames, "predicted_category", "confidence"])
            writer.writeheader()
            for row, (label, confidence) in zip(rows, predictions, strict=True):
                writer.writerow({**row, "predicted_category": label, "confidence": f"{confidence:.4f}"})
        self.stdout.write(f"已分类 {len(rows)} 行，写入 {output}")
