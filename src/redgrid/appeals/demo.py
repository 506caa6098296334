"""Demo content of the appeals app: a classifier trained at `make demo` time from shippable data."""

from redgrid.appeals.classifier import AppealClassifier, demo_training_set
from redgrid.appeals.intake import model_path
from redgrid.units.taxonomy import read_taxonomy


def train_demo_model(ctx) -> None:
    """Train on the team's own written examples plus the taxonomy names; keep an existing model."""
    path = model_path()
    if path.exists():
        ctx.log(f"· 诉求分类模型已存在：{path}")
        return
    texts, labels = demo_training_set(read_taxonomy())
    path.parent.mkdir(parents=True, exist_ok=True)
    AppealClassifier().fit(texts, labels).save(path)
    ctx.log(f"· 诉求分类模型：用 {len(texts)} 条示例训练，保存到 {path}")
