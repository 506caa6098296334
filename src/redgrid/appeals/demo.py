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


DEMO_OPEN311_KEY = "demo-open311-key"


def open311_demo_key(ctx) -> None:
    """The Open311 key `demo-open311-key` (demo mode only) and two appeals filed with it, so the curl
    examples of the README work and the Open311 channel shows up in the queues."""
    from django.conf import settings

    from redgrid.accounts.models import ApiKey
    from redgrid.accounts.services import api_key_issue
    from redgrid.appeals import services
    from redgrid.appeals.models import Appeal, Channel
    from redgrid.regions.divisions import full_code
    from redgrid.regions.models import Building, Region
    from redgrid.units.models import Category

    if not settings.DEMO_MODE:  # a known key must never exist in production
        return
    street = Region.objects.get(code=full_code("370705007"))
    key = ApiKey.objects.filter(key_hash=ApiKey.hash_key(DEMO_OPEN311_KEY)).first()
    if key is None:
        key = ApiKey(
            name="演示 Open311 接入", owner="演示：区 12345 平台", contact="平台管理员", street=street
        )
        api_key_issue(actor=None, key=key, plain=DEMO_OPEN311_KEY)
        ctx.log(f"· Open311 演示密钥：{DEMO_OPEN311_KEY}（默认街道：{street}）")
    if Appeal.objects.filter(api_key=key).exists():
        return
    buildings = list(Building.objects.filter(grid__path__startswith=street.path).order_by("id")[:2])
    category = Category.objects.filter(name="城市公共设施", is_active=True).first()
    texts = ["小区门口路灯坏了三盏，晚上很黑，老人出门不方便", "人行道井盖松动，踩上去晃动，存在安全隐患"]
    for building, text in zip(buildings, texts, strict=False):
        services.appeal_submit(
            actor=None,
            content=text,
            lat=building.lat,
            lng=building.lng,
            category=category,
            channel=Channel.OPEN311,
            api_key=key,
            note=f"经 Open311 接入（{key.name}，{key.owner}）",
        )
    ctx.log(f"· Open311 演示诉求：{len(buildings)} 件")
