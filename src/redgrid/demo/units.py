"""The demo's category tree and its ~15 responsible units (责任单位)."""

from redgrid.regions.divisions import full_code
from redgrid.regions.models import Region
from redgrid.units.models import Category, Unit
from redgrid.units.taxonomy import load_taxonomy, read_taxonomy

# (name, short name, kind, serves the street only?, categories matched by level-2/3 name or level-1 name)
UNITS = [
    ("奎文区综合行政执法局", "城管执法", "department", False, ["城管执法", "市容", "占道", "违章", "城市建设和市政管理"]),
    ("奎文区住房和城乡建设局", "住建", "department", False, ["住房保障与房地产", "小区管理", "物业", "工程质量", "建筑市场"]),
    ("奎文区市场监督管理局", "市场监管", "department", False, ["市场监管", "食品药品监管", "质监检验检疫", "商业贸易"]),
    ("潍坊市公安局奎文分局广文派出所", "派出所", "department", True, ["社会治安", "户籍证件", "交通管理"]),
    ("潍坊市自来水公司奎文营业所", "供水", "company", False, ["自来水供应"]),
    ("国网潍坊供电公司奎文供电中心", "供电", "company", False, ["电力供应"]),
    ("潍坊港华燃气奎文服务站", "燃气", "company", False, ["燃气供应"]),
    ("潍坊市热力公司奎文分公司", "热力", "company", False, ["冬季采暖"]),
    ("奎文区环境卫生服务中心", "环卫", "department", False, ["环境卫生", "环境污染", "环保管理"]),
    ("奎文区园林绿化服务中心", "园林绿化", "department", False, ["园林绿化", "公园管理"]),
    ("奎文区民政局", "民政", "department", False, ["民政"]),
    ("奎文区人力资源和社会保障局", "人社", "department", False, ["劳动和社会保障"]),
    ("奎文区卫生健康局", "卫健", "department", False, ["卫生计生"]),
    ("奎文区教育和体育局", "教育", "department", False, ["教育文体"]),
    ("奎文区交通运输局", "交通", "department", False, ["交通运输"]),
]


def build(ctx) -> None:
    created = load_taxonomy(read_taxonomy())
    ctx.log(f"· 事项分类：新增 {created} 个")
    county = Region.objects.get(code=full_code("370705"))
    street = Region.objects.get(code=full_code("370705007"))
    categories = list(Category.objects.all())
    for name, short, kind, street_only, keys in UNITS:
        unit, _ = Unit.objects.get_or_create(
            name=name, defaults={"short_name": short, "kind": kind, "area": street if street_only else county,
                                 "phone": f"0536-88{len(name):02d}{len(short):02d}"},
        )
        matched = [c for c in categories if c.name in keys and c.level in (1, 2, 3)]
        if matched and not unit.categories.exists():
            unit.categories.set(matched)
    ctx.log(f"· 责任单位：{Unit.objects.count()} 个")
