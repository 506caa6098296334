"""The demo accounts (password Demo@2026 in demo mode only) and their grants."""

from django.conf import settings

from redgrid.accounts.models import Role, RoleGrant, User
from redgrid.party.models import PartyMember, PartyOrg
from redgrid.regions.divisions import full_code
from redgrid.regions.models import Region, Resident
from redgrid.units.models import Unit

WENHUALU = "370705007008"  # 文化路社区

ACCOUNTS = [
    # username, display name, role, description
    ("resident", "居民（文化路社区第1网格）", None, "居民：反映诉求、微心愿、评价"),
    ("member", "党员（文化路社区第1网格）", None, "党员：学习、认领心愿、双报到"),
    ("gridworker", "网格员（文化路社区第1网格）", Role.GRID_WORKER, "网格员：巡查上报、核查"),
    ("branch", "支部书记（文化路社区第1网格党支部）", Role.BRANCH_SECRETARY, "支部书记：党员、三会一课、党费"),
    ("community", "社区书记（文化路社区）", Role.COMMUNITY, "社区书记：网格、居民、诉求分拨"),
    ("street", "街道管理员（广文街道）", Role.STREET_ADMIN, "街道：派单、吹哨、考核"),
    ("unit", "处置人员（城管执法）", Role.UNIT_HANDLER, "部门：报到、处置、反馈"),
    ("leader", "街道领导（广文街道）", Role.LEADER, "领导：驾驶舱、排名、督办"),
    ("admin", "系统管理员", Role.SYSADMIN, "系统管理：配置、账号、审计"),
]


def build(ctx) -> None:
    community = Region.objects.get(code=WENHUALU)
    grid = community.get_children().filter(level=Region.Level.GRID).order_by("code").first()
    street = Region.objects.get(code=full_code("370705007"))
    root = Region.objects.get(depth=1, code=full_code("37"))
    branch = PartyOrg.objects.get(kind=PartyOrg.Kind.GRID_BRANCH, regions=grid)
    unit = Unit.objects.get(short_name="城管执法")
    members = list(PartyMember.objects.filter(org=branch).select_related("person").order_by("id"))
    secretary = next(m for m in members if m.position == "书记")
    plain_member = next(m for m in members if not m.position)
    member_ids = {m.person_id for m in members}
    resident = (Resident.objects.filter(household__building__grid=grid, birth_date__isnull=False)
                .exclude(id__in=member_ids).exclude(account__isnull=False).order_by("id").first())
    existing_resident = User.objects.filter(username="resident").values_list("person_id", flat=True).first()
    people = {
        "resident": Resident.objects.get(pk=existing_resident) if existing_resident else resident,
        "member": plain_member.person,
        "branch": secretary.person,
    }
    nodes = {
        Role.GRID_WORKER: {"region": grid}, Role.BRANCH_SECRETARY: {"party_org": branch},
        Role.COMMUNITY: {"region": community}, Role.STREET_ADMIN: {"region": street},
        Role.UNIT_HANDLER: {"unit": unit}, Role.LEADER: {"region": street}, Role.SYSADMIN: {"region": root},
    }
    for i, (username, display, role, _) in enumerate(ACCOUNTS):
        user, _ = User.objects.get_or_create(username=username, defaults={"display_name": display})
        user.display_name = display
        user.person = people.get(username)
        user.is_staff = user.is_superuser = username == "admin"
        user.phone = f"1390536{i:04d}"
        user.set_password(settings.DEMO_PASSWORD)
        user.save()
        if role is not None:
            RoleGrant.objects.get_or_create(user=user, role=role, **nodes[role])
    ctx.log("· 演示账号：" + "、".join(a[0] for a in ACCOUNTS) + f"（密码 {settings.DEMO_PASSWORD}）")
