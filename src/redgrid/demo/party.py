"""The demo's party organisation tree and ~27 members per grid (≈1,500 for the street)."""

import random
from datetime import timedelta

from django.db import transaction

from redgrid.core.names import age_on
from redgrid.demo.geography import short_name
from redgrid.party.models import PartyMember, PartyOrg
from redgrid.regions.models import Building, Region, Resident

COMMITTEE_POSITIONS = ["书记", "组织委员", "宣传委员", "纪检委员"]
WORK_UNITS = ["奎文区人民法院", "奎文区财政局", "潍坊市第二中学", "潍坊市人民医院", "奎文区税务局", "潍坊银行奎文支行",
              "奎文区广文街道办事处", "潍柴动力股份有限公司"]


def build(ctx, *, members_per_grid: int) -> None:
    for code in ctx.street_codes:
        street = Region.objects.get(code=code)
        _street_tree(ctx, street, members_per_grid)


def _org(parent: PartyOrg | None, name: str, kind: str, regions: list[Region], **fields) -> PartyOrg:
    existing = PartyOrg.objects.filter(name=name, kind=kind).first()
    if existing:
        return existing
    if parent is None:
        org = PartyOrg.add_root(name=name, kind=kind, **fields)
    else:
        parent.refresh_from_db()
        org = parent.add_child(name=name, kind=kind, **fields)
    org.regions.set(regions)
    return org


@transaction.atomic
def _street_tree(ctx, street: Region, members_per_grid: int) -> None:
    short_street = street.name
    working = _org(None, f"中共{short_street}工作委员会", PartyOrg.Kind.WORKING_COMMITTEE, [street],
                   has_committee=True, term_started=ctx.today.replace(year=ctx.today.year - 2), term_years=5)
    for community in street.get_children().filter(level=Region.Level.COMMUNITY).order_by("code"):
        short = short_name(community.name)
        committee = _org(working, f"中共{short_street}{short}委员会", PartyOrg.Kind.COMMITTEE, [community],
                         has_committee=True, term_started=ctx.today.replace(year=ctx.today.year - 3), term_years=5)
        for grid in community.get_children().filter(level=Region.Level.GRID).order_by("code"):
            rng = random.Random(f"party:{grid.code}")
            branch = _org(committee, f"{grid.name}党支部", PartyOrg.Kind.GRID_BRANCH, [grid], has_committee=True,
                          term_started=ctx.today - timedelta(days=rng.randrange(0, 5 * 365)), term_years=5)
            buildings = list(Building.objects.filter(grid=grid).order_by("id"))
            for i in range(0, len(buildings), 4):
                chunk = buildings[i:i + 4]
                _org(branch, f"{grid.name}{chunk[0].name}–{chunk[-1].name}楼栋党小组", PartyOrg.Kind.BUILDING_GROUP,
                     [grid], building=chunk[0])
            if not PartyMember.objects.filter(org=branch).exists():
                _members(ctx, branch, grid, community, rng, members_per_grid)


def _members(ctx, branch, grid, community, rng, count) -> None:
    today = ctx.today
    candidates = list(
        Resident.objects.filter(household__building__grid=grid, party_member__isnull=True)
        .order_by("id").only("id", "birth_date", "occupation")
    )
    adults = [r for r in candidates if r.birth_date and age_on(r.birth_date, today) >= 20]
    chosen = rng.sample(adults, min(count, len(adults)))
    rows = []
    for i, person in enumerate(chosen):
        age = age_on(person.birth_date, today)
        probationary = i % 19 == 5  # about 5 % are 预备党员 in their first year
        if probationary:
            joined = today - timedelta(days=rng.randrange(30, 330))
        else:
            joined = person.birth_date + timedelta(days=365 * rng.randint(19, max(20, min(age - 1, 45))))
            joined = min(joined, today - timedelta(days=400))
        occupation = person.occupation
        category = ("retired" if occupation == "退休人员" else "student" if occupation == "学生"
                    else rng.choices(["employed", "self_employed", "unemployed"], weights=[80, 15, 5])[0])
        in_service = category == "employed" and rng.random() < 0.4
        rows.append(PartyMember(
            person_id=person.id, org=branch,
            status=PartyMember.Status.PROBATIONARY if probationary else PartyMember.Status.FULL,
            applied_on=joined - timedelta(days=rng.randrange(400, 1100)), joined_on=joined,
            full_member_on=None if probationary else joined + timedelta(days=365),
            dues_category=category, position=COMMITTEE_POSITIONS[i] if i < len(COMMITTEE_POSITIONS) else "",
            in_service=in_service, work_unit=rng.choice(WORK_UNITS) if in_service else "",
            home_community=community if in_service else None,
        ))
    PartyMember.objects.bulk_create(rows)
