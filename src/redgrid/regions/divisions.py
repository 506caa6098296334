"""Loading a subtree of the statistical division codes (统计用区划代码) into the region tree.

Files follow the china-division format (provinces.csv, cities.csv, counties.csv, streets.csv and
villages.csv or villages.csv.gz). Every level is stored with its 12-digit code, zero-padded.
"""

import csv
import gzip
import io
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from redgrid.regions.models import Region

BUNDLED = Path(__file__).resolve().parent / "data" / "divisions"
LEVEL_BY_LENGTH = {2: Region.Level.PROVINCE, 4: Region.Level.CITY, 6: Region.Level.COUNTY,
                   9: Region.Level.STREET, 12: Region.Level.COMMUNITY}


def full_code(code: str) -> str:
    return code.ljust(12, "0")


@dataclass
class LoadResult:
    created: int
    updated: int
    root: Region


def _rows(source: Path, name: str):
    plain, packed = source / f"{name}.csv", source / f"{name}.csv.gz"
    if plain.exists():
        handle = plain.open(encoding="utf-8-sig", newline="")
    elif packed.exists():
        handle = io.TextIOWrapper(gzip.open(packed), encoding="utf-8-sig", newline="")
    else:
        raise FileNotFoundError(f"{source} 中缺少 {name}.csv")
    with handle:
        yield from csv.DictReader(handle)


def load_subtree(code: str, source: Path = BUNDLED) -> LoadResult:
    """Load the node `code` (2, 4, 6 or 9 digits), its ancestors and its whole subtree to communities.

    1. Collect the wanted rows from each level's file (prefix match on the code).
    2. Create or update nodes level by level, parents before children (idempotent by code).
    """
    code = code.strip()
    if len(code) not in (2, 4, 6, 9) or not code.isdigit():
        raise ValueError("区划代码须为 2（省）、4（市）、6（区县）或 9（街道）位数字")
    wanted: list[tuple[str, str]] = []
    for name, key in (("provinces", "code"), ("cities", "code"), ("counties", "code"),
                      ("streets", "code"), ("villages", "code")):
        for row in _rows(source, name):
            c = row[key]
            if c.startswith(code) or code.startswith(c):
                wanted.append((c, row["name"].strip()))
    if not any(c == code for c, _ in wanted):
        raise ValueError(f"数据中没有区划代码 {code}")
    wanted.sort(key=lambda item: (len(item[0]), item[0]))
    created = updated = 0
    with transaction.atomic():
        existing = {r.code: r for r in Region.objects.filter(code__in=[full_code(c) for c, _ in wanted])}
        for c, name in wanted:
            level = LEVEL_BY_LENGTH[len(c)]
            node = existing.get(full_code(c))
            if node is not None:
                if node.name != name:
                    node.name = name
                    node.save(update_fields=["name", "updated_at"])
                    updated += 1
                continue
            parent = existing.get(full_code(_parent_code(c))) if len(c) > 2 else None
            fields = {"code": full_code(c), "name": name, "level": level}
            node = parent.add_child(**fields) if parent else Region.add_root(**fields)
            if parent is not None:
                parent.refresh_from_db()  # treebeard keeps numchild on the parent row
            existing[node.code] = node
            created += 1
    return LoadResult(created, updated, existing[full_code(code)])


def _parent_code(code: str) -> str:
    return {4: code[:2], 6: code[:4], 9: code[:6], 12: code[:9]}[len(code)]
