"""微心愿 services: each transition's legal and illegal actions, who may act, limits, events, audit, inbox."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from redgrid.core.api import Conflict
from redgrid.core.models import AuditLog, Notification, Rule
from redgrid.core.rules import invalidate
from redgrid.participation import services as s
from redgrid.participation.models import Wish

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def set_rule(key, value):
    Rule.objects.update_or_create(key=key, defaults={"value": value})
    invalidate()


# --- the transitions table ---------------------------------------------------------------------------


def test_the_transitions_table_describes_the_whole_workflow():
    t = s.TRANSITIONS
    assert (set(t["approve"].sources), t["approve"].target) == ({"pending"}, "open")
    assert (set(t["reject"].sources), t["reject"].target) == ({"pending"}, "rejected")
    assert (set(t["claim"].sources), t["claim"].target) == ({"open"}, "claimed")
    assert (set(t["release"].sources), t["release"].target) == ({"claimed"}, "open")
    assert (set(t["expire"].sources), t["expire"].target) == ({"claimed"}, "open")
    assert (set(t["fulfil"].sources), t["fulfil"].target) == ({"claimed"}, "fulfilled")
    assert (set(t["confirm"].sources), t["confirm"].target) == ({"fulfilled"}, "confirmed")
    # Terminal states allow nothing.
    for terminal in ("confirmed", "rejected"):
        assert not any(terminal in tr.sources for tr in t.values())


def test_allowed_actions_follow_the_state(wishes):
    wish = wishes.make("open")
    assert s.allowed_actions(wish) == ["claim"]


# --- posting -----------------------------------------------------------------------------------------


def test_a_resident_posts_a_pending_wish_in_the_grid_of_their_household(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        wish = s.wish_post(
            actor=world.user("resident"),
            title=" 轮椅 ",
            content="老人需要轮椅",
            value_estimate=180,
            category="elderly",
        )
    assert wish.status == "pending" and wish.title == "轮椅"
    assert wish.grid == world.regions["A1"]
    assert wish.household == world.residents["A1-31"].household
    assert [e.action for e in wish.events.all()] == ["post"]
    assert AuditLog.objects.filter(action="wish.post", object_id=str(wish.pk)).exists()
    # The grid worker, the community and the A1 branch secretary are told; nobody outside.
    told = set(Notification.objects.filter(kind="wish").values_list("recipient__username", flat=True))
    assert told == {"gridworker", "community", "branch"}


def test_a_wish_over_the_value_cap_is_refused_and_the_cap_is_configurable(world):
    with pytest.raises(ValidationError, match="200 元"):
        s.wish_post(actor=world.user("resident"), title="电视", content="想要电视", value_estimate=201)
    set_rule("wish.value_cap", 500)
    assert s.wish_post(actor=world.user("resident"), title="电视", content="想要电视", value_estimate=450).pk
    assert Wish.objects.count() == 1


def test_posting_needs_a_household(world):
    with pytest.raises(ValidationError, match="住户"):
        s.wish_post(actor=world.user("gridworker"), title="书", content="想要书")


@pytest.mark.parametrize("field", ["title", "content"])
def test_title_and_content_are_required(world, field):
    data = {"title": "书", "content": "想要书", field: "  "}
    with pytest.raises(ValidationError, match="请填写"):
        s.wish_post(actor=world.user("resident"), **data)


def test_an_unknown_category_is_refused(world):
    with pytest.raises(ValidationError, match="类别"):
        s.wish_post(actor=world.user("resident"), title="书", content="想要书", category="cars")


@pytest.mark.parametrize("data", [JPEG, PNG, WEBP])
def test_a_photo_is_accepted_by_its_content(world, data):
    photo = SimpleUploadedFile("x.bin", data, content_type="application/octet-stream")
    wish = s.wish_post(actor=world.user("resident"), title="书", content="想要书", photo=photo)
    assert wish.photo.name.startswith("wishes/")


def test_a_photo_that_is_not_an_image_is_refused_whatever_its_name(world):
    fake = SimpleUploadedFile("x.jpg", b"<html>not an image</html>", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="JPEG、PNG 或 WebP"):
        s.wish_post(actor=world.user("resident"), title="书", content="想要书", photo=fake)
    assert not Wish.objects.exists()


def test_a_photo_over_the_size_limit_is_refused(world):
    big = SimpleUploadedFile("x.jpg", JPEG + b"\x00" * (10 * 1024 * 1024), content_type="image/jpeg")
    with pytest.raises(ValidationError, match="10 MB"):
        s.wish_post(actor=world.user("resident"), title="书", content="想要书", photo=big)


# --- review ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reviewer", ["gridworker", "community", "branch", "admin"])
def test_the_staff_covering_the_grid_approve_a_wish(
    world, wishes, reviewer, django_capture_on_commit_callbacks
):
    wish = wishes.make("pending")
    with django_capture_on_commit_callbacks(execute=True):
        wish = s.wish_approve(actor=world.user(reviewer), wish=wish)
    assert wish.status == "open"
    assert Notification.objects.filter(recipient=world.user("resident"), title__contains="通过审核").exists()


@pytest.mark.parametrize(
    "outsider",
    ["outsider_gridworker", "outsider_branch", "outsider_community", "street", "unit", "resident", "member"],
)
def test_nobody_else_approves_a_wish(world, wishes, outsider):
    wish = wishes.make("pending")
    with pytest.raises(PermissionDenied):
        s.wish_approve(actor=world.user(outsider), wish=wish)
    wish.refresh_from_db()
    assert wish.status == "pending"


def test_the_secretary_of_a_building_groups_branch_reviews_wishes_of_that_building(world, wishes):
    from redgrid.party.models import PartyOrg
    from redgrid.testing import make_user

    # A building group in branch B1 responsible for A1's building (the building is not in B1's grid).
    building = world.residents["A1-31"].household.building
    world.orgs["B1"].add_child(name="A1 1号楼党小组", kind=PartyOrg.Kind.BUILDING_GROUP, building=building)
    secretary = make_user("b1_secretary", role="branch", party_org=world.orgs["B1"])
    wish = s.wish_approve(actor=secretary, wish=wishes.make("pending"))
    assert wish.status == "open"


def test_rejecting_needs_a_reason_and_keeps_it(world, wishes):
    wish = wishes.make("pending")
    with pytest.raises(ValidationError, match="驳回原因"):
        s.wish_reject(actor=world.user("community"), wish=wish, reason=" ")
    wish = s.wish_reject(actor=world.user("community"), wish=wish, reason="超出微心愿范围")
    assert wish.status == "rejected" and wish.reject_reason == "超出微心愿范围"
    assert wish.events.last().note == "超出微心愿范围"


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("open", "approve"),
        ("rejected", "approve"),
        ("claimed", "reject"),
        ("pending", "claim"),
        ("claimed", "claim"),
        ("open", "release"),
        ("open", "fulfil"),
        ("fulfilled", "fulfil"),
        ("claimed", "confirm"),
        ("confirmed", "confirm"),
    ],
)
def test_an_illegal_action_is_a_conflict_naming_the_current_state(world, wishes, state, action):
    wish = wishes.make(state)
    actor = {
        "approve": "community",
        "reject": "community",
        "claim": "member",
        "release": "member",
        "fulfil": "member",
        "confirm": "resident",
    }[action]
    kwargs = {"reason": "x"} if action == "reject" else {"content": "x"} if action == "fulfil" else {}
    with pytest.raises(Conflict, match=f"「{Wish.Status(state).label}」"):
        getattr(s, f"wish_{action}")(actor=world.user(actor), wish=wish, **kwargs)


# --- claiming ----------------------------------------------------------------------------------------


def test_a_member_claims_an_open_wish_with_a_deadline(world, wishes, django_capture_on_commit_callbacks):
    wish = wishes.make("open")
    with django_capture_on_commit_callbacks(execute=True):
        wish = s.wish_claim(actor=world.user("member"), wish=wish)
    assert wish.status == "claimed" and wish.claimed_by == world.user("member")
    assert (wish.claim_due_at - wish.claimed_at).days == 14
    assert Notification.objects.filter(recipient=world.user("resident"), title__contains="认领").exists()


def test_a_resident_who_is_not_a_member_cannot_claim(world, wishes):
    from redgrid.testing import make_user

    neighbour = make_user("neighbour", person=world.residents["A1-01"])
    with pytest.raises(PermissionDenied, match="党员"):
        s.wish_claim(actor=neighbour, wish=wishes.make("open"))


def test_a_member_cannot_claim_their_own_wish(world, wishes):
    wish = wishes.make("open", poster=world.user("member"))
    with pytest.raises(PermissionDenied, match="自己"):
        s.wish_claim(actor=world.user("member"), wish=wish)


def test_a_second_member_cannot_claim_a_claimed_wish(world, wishes):
    wish = wishes.make("claimed")
    with pytest.raises(Conflict, match="已认领"):
        s.wish_claim(actor=wishes.member2, wish=wish)


def test_the_open_claims_limit_is_enforced_and_configurable(world, wishes):
    for i in range(3):
        wishes.make("claimed", title=f"心愿{i}")
    fourth = wishes.make("open", title="第四个")
    with pytest.raises(Conflict, match="3 个"):
        s.wish_claim(actor=world.user("member"), wish=fourth)
    set_rule("wish.claim_limit", 4)
    assert s.wish_claim(actor=world.user("member"), wish=fourth).status == "claimed"


def test_fulfilled_wishes_do_not_count_against_the_limit(world, wishes):
    for i in range(3):
        wishes.make("fulfilled", title=f"心愿{i}")
    assert s.wish_claim(actor=world.user("member"), wish=wishes.make("open")).status == "claimed"


def test_the_claimer_releases_a_wish_back_to_the_board(world, wishes):
    wish = wishes.make("claimed")
    with pytest.raises(PermissionDenied):
        s.wish_release(actor=wishes.member2, wish=wish)
    wish = s.wish_release(actor=world.user("member"), wish=wish)
    assert wish.status == "open" and wish.claimed_by is None and wish.claim_due_at is None


# --- shaking -----------------------------------------------------------------------------------------


def test_shaking_claims_an_open_wish_of_the_members_community(world, wishes):
    from redgrid.testing import make_user

    c1_member = make_user("c1_member", person=world.residents["C1-00"])
    wish = wishes.make("open")
    with pytest.raises(Conflict, match="没有待认领"):
        s.wish_shake(actor=c1_member)  # 中学街社区 has no open wish
    claimed = s.wish_shake(actor=world.user("member"))
    assert claimed.pk == wish.pk and claimed.claimed_by == world.user("member")
    with pytest.raises(Conflict, match="没有待认领"):
        s.wish_shake(actor=wishes.member2)


def test_shaking_also_reaches_the_community_a_member_reports_to(world, wishes):
    from redgrid.party.models import PartyMember
    from redgrid.testing import make_user

    PartyMember.objects.filter(person=world.residents["C1-00"]).update(home_community=world.regions["wenhua"])
    c1_member = make_user("c1_member", person=world.residents["C1-00"])
    wish = wishes.make("open")
    assert s.wish_shake(actor=c1_member).pk == wish.pk


def test_shaking_never_offers_a_members_own_wish(world, wishes):
    wishes.make("open", poster=world.user("member"))
    with pytest.raises(Conflict, match="没有待认领"):
        s.wish_shake(actor=world.user("member"))


def test_a_resident_cannot_shake(world, wishes):
    with pytest.raises(PermissionDenied):
        s.wish_shake(actor=world.user("resident"))


# --- fulfilment and confirmation ---------------------------------------------------------------------


def test_the_claimer_fulfils_with_evidence_and_the_poster_confirms(
    world, wishes, django_capture_on_commit_callbacks
):
    wish = wishes.make("claimed")
    photo = SimpleUploadedFile("p.png", PNG, content_type="image/png")
    with pytest.raises(ValidationError, match="实现情况"):
        s.wish_fulfil(actor=world.user("member"), wish=wish, content="")
    with pytest.raises(PermissionDenied):
        s.wish_fulfil(actor=wishes.member2, wish=wish, content="送到了")
    wish = s.wish_fulfil(actor=world.user("member"), wish=wish, content="送到了", photos=[photo])
    assert wish.status == "fulfilled" and wish.photos.count() == 1
    with pytest.raises(PermissionDenied):
        s.wish_confirm(actor=world.user("outsider_resident"), wish=wish)
    with django_capture_on_commit_callbacks(execute=True):
        wish = s.wish_confirm(actor=world.user("resident"), wish=wish, thanks="谢谢！")
    assert wish.status == "confirmed" and wish.thanks == "谢谢！"
    assert [e.action for e in wish.events.all()] == ["post", "approve", "claim", "fulfil", "confirm"]
    assert [e.to_state for e in wish.events.all()] == ["pending", "open", "claimed", "fulfilled", "confirmed"]
    assert Notification.objects.filter(recipient=world.user("member"), title__contains="确认").exists()
    actions = set(
        AuditLog.objects.filter(object_id=str(wish.pk), object_type="participation.wish").values_list(
            "action", flat=True
        )
    )
    assert actions == {"wish.post", "wish.approve", "wish.claim", "wish.fulfil", "wish.confirm"}


def test_no_notification_is_sent_when_the_transaction_rolls_back(
    world, wishes, django_capture_on_commit_callbacks
):
    from django.db import transaction

    wish = wishes.make("pending")
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                s.wish_approve(actor=world.user("community"), wish=wish)
                raise RuntimeError("boom")
        except RuntimeError:
            pass
    wish.refresh_from_db()
    assert wish.status == "pending"
    assert not Notification.objects.filter(title__contains="通过审核").exists()
