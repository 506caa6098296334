"""The category tree of matters (事项分类): loading the default 3-level taxonomy, idempotently."""

import csv
from pathlib import Path

from django.conf import settings
from django.db import transaction

from redgrid.units.models import Category

# Categories whose public listing shows the location at grid precision only (open311.md).
SENSITIVE_LEVEL1 = {"政法", "纪检监察"}
SENSITIVE_LEVEL2 = {"医患纠纷", "人口计生", "社会救助", "优抚"}

# Used only when the shared taxonomy file is absent: the 15 first-level categories of the default tree.
FALLBACK = [
    ("城乡建设", "城市建设和市政管理", "城市公共设施"), ("城乡建设", "城市建设和市政管理", "环境卫生"),
    ("城乡建设", "住房保障与房地产", "物业管理"), ("环境保护", "环境污染", "噪声污染"),
    ("交通运输", "客货运输", "公交线路"), ("教育文体", "教育行政管理", "入学"),
    ("劳动和社会保障", "工资福利", "拖欠工资"), ("卫生计生", "公共卫生", "疾病防控"),
    ("商贸旅游", "市场监管", "消费维权"), ("党务政务", "党的建设", "基层党建"),
    ("农村农业", "惠农补贴", "补贴发放"), ("国土资源", "土地资源管理", "土地使用"),
    ("政法", "社会治安", "治安问题"), ("民政", "社会救助", "低保"),
    ("科技与信息产业", "电信", "通信网络"), ("纪检监察", "干部作风", "作风问题"),
    ("经济管理", "金融财税", "金融服务"),
]


def default_taxonomy_path() -> Path:
    return Path(settings.SHARED_DIR) / "data" / "appeals" / "teddy2020_taxonomy_3level.csv"


def read_taxonomy(path: Path | None = None) -> list[tuple[str, str, str]]:
    path = path or default_taxonomy_path()
    if not path.exists():
        return list(FALLBACK)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [(r["level1"].strip(), r["level2"].strip(), r["level3"].strip()) for r in csv.DictReader(handle)]
    return [r for r in rows if all(r)]


def load_taxonomy(rows: list[tuple[str, str, str]]) -> int:
    """Create the missing nodes of a level1/level2/level3 tree; existing names are kept. Returns created."""
    created = 0
    with transaction.atomic():
        roots = {c.name: c for c in Category.get_root_nodes()}
        children: dict[int, dict[str, Category]] = {}

        def child(parent: Category, name: str, level: int, sensitive: bool) -> Category:
            nonlocal created
            if parent.pk not in children:
                children[parent.pk] = {c.name: c for c in parent.get_children()}
            node = children[parent.pk].get(name)
            if node is None:
                node = parent.add_child(name=name, level=level, is_sensitive=sensitive)
                parent.refresh_from_db()
                children[parent.pk][name] = node
                created += 1
            return node

        for l1, l2, l3 in rows:
            root = roots.get(l1)
            if root is None:
                root = Category.add_root(name=l1, level=1, is_sensitive=l1 in SENSITIVE_LEVEL1)
                roots[l1] = root
                created += 1
            sensitive = l1 in SENSITIVE_LEVEL1 or l2 in SENSITIVE_LEVEL2
            mid = child(root, l2, 2, sensitive)
            child(mid, l3, 3, sensitive)
    return created
