"""Who sees which wish: staff their subtree; residents the public board of their community and their own."""

import pytest

pytestmark = pytest.mark.django_db


def ids(client, headers, query=""):
    body = client.get(f"/api/v1/wishes{query}", **headers).json()
    return {w["id"] for w in body["items"]}


def test_an_outsider_resident_cannot_see_a_pending_wish_of_wenhua(world, client, api_token, wishes):
    wish = wishes.make("pending")
    h = api_token(world.user("outsider_resident"))
    assert client.get(f"/api/v1/wishes/{wish.pk}", **h).status_code == 404
    assert ids(client, h) == set()


def test_the_outsider_community_gets_404_like_a_missing_wish(world, client, api_token, wishes):
    wish = wishes.make("open")
    h = api_token(world.user("outsider_community"))
    outside = client.get(f"/api/v1/wishes/{wish.pk}", **h)
    missing = client.get("/api/v1/wishes/999999", **h)
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()
    assert (
        client.post(f"/api/v1/wishes/{wish.pk}/claim", "{}", content_type="application/json", **h).status_code
        == 404
    )
    assert ids(client, h) == set()


def test_a_neighbour_sees_the_public_board_but_not_pending_or_rejected_wishes(
    world, client, api_token, wishes
):
    from redgrid.testing import make_user

    pending, rejected = wishes.make("pending", title="甲"), wishes.make("rejected", title="乙")
    public = {wishes.make(st, title=st).pk for st in ("open", "claimed", "fulfilled", "confirmed")}
    # A neighbour in grid A2 of the same community.
    neighbour = api_token(make_user("a2_resident", person=world.residents["A2-01"]))
    assert ids(client, neighbour) == public
    assert client.get(f"/api/v1/wishes/{pending.pk}", **neighbour).status_code == 404
    assert client.get(f"/api/v1/wishes/{rejected.pk}", **neighbour).status_code == 404
    # The poster sees all of their own wishes.
    assert ids(client, api_token(world.user("resident"))) == public | {pending.pk, rejected.pk}


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("gridworker", True),
        ("community", True),
        ("street", True),
        ("leader", True),
        ("admin", True),
        ("branch", True),
        ("outsider_gridworker", False),
        ("outsider_branch", False),
        ("outsider_street", False),
        ("unit", False),
    ],
)
def test_staff_see_pending_wishes_of_their_subtree_only(world, client, api_token, wishes, role, sees):
    wish = wishes.make("pending")
    h = api_token(world.user(role))
    assert (client.get(f"/api/v1/wishes/{wish.pk}", **h).status_code == 200) is sees
    assert (wish.pk in ids(client, h)) is sees


def test_a_claimer_still_sees_a_wish_outside_their_community(world, client, api_token, wishes):
    from redgrid.party.models import PartyMember
    from redgrid.testing import make_user

    PartyMember.objects.filter(person=world.residents["C1-00"]).update(home_community=world.regions["wenhua"])
    c1_member = make_user("c1_member", person=world.residents["C1-00"])
    wish = wishes.make("claimed", claimer=c1_member)
    PartyMember.objects.filter(person=world.residents["C1-00"]).update(home_community=None)
    c1_member = type(c1_member).objects.get(pk=c1_member.pk)
    assert client.get(f"/api/v1/wishes/{wish.pk}", **api_token(c1_member)).status_code == 200
