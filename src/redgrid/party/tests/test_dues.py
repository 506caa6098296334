"""Dues: the monthly amount from category and base, recording payments, arrears boundaries, pages."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from redgrid.core.api import Conflict
from redgrid.core.models import Rule
from redgrid.party import services
from redgrid.party.models import DuesPayment, PartyMember

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def july():
    with time_machine.travel(date(2026, 7, 15), tick=False):
        yield


def _pay(world, key, year, month, amount="15.00", actor="branch", paid_on=date(2026, 7, 10)):
    return services.dues_record_payment(
        actor=world.user(actor),
        member=world.members[key],
        year=year,
        month=month,
        amount=D(amount),
        paid_on=paid_on,
    )


def _base(world, key, base, year=2026, from_month=1):
    return services.dues_set_base(
        actor=world.user("branch"),
        member=world.members[key],
        year=year,
        from_month=from_month,
        base=D(base) if base is not None else None,
    )


def test_the_monthly_amount_follows_the_base_in_force_for_the_month(world):
    member = world.members["A1-0"]
    _base(world, "A1-0", "3000")
    _base(world, "A1-0", "5000.01", from_month=7)
    bases = list(member.dues_bases.all())
    assert services.monthly_dues_for(member, bases, 2026, 6) == D("15.00")  # 3000 × 0.5%
    assert services.monthly_dues_for(member, bases, 2026, 7) == D("75.00")  # 5000.01 × 1.5%
    assert services.monthly_dues_for(member, bases, 2027, 1) == D("75.00")  # kept until a new base is set
    assert services.monthly_dues_for(member, bases, 2025, 12) is None


def test_the_farmer_amount_comes_from_the_rules_table(world):
    member = world.members["A1-0"]
    member.dues_category = PartyMember.DuesCategory.FARMER
    assert services.monthly_dues_for(member, [], 2026, 7) == D("0.20")
    Rule.objects.create(key="party.dues.farmer_amount", value="0.50")
    assert services.monthly_dues_for(member, [], 2026, 7) == D("0.50")


def test_a_percentage_category_requires_a_base(world):
    with pytest.raises(Exception, match="必须填写计算基数"):
        _base(world, "A1-0", None)


def test_recording_a_payment_and_refusing_the_same_month_twice(world, july):
    _base(world, "A1-0", "3000")
    payment = _pay(world, "A1-0", 2026, 7)
    assert payment.org == world.orgs["A1"] and payment.recorded_by == world.user("branch")
    with pytest.raises(Conflict, match="已登记"):
        _pay(world, "A1-0", 2026, 7)
    assert DuesPayment.objects.count() == 1


def test_an_amount_below_the_dues_is_refused_citing_the_rule_and_more_is_a_voluntary_extra(world, july):
    _base(world, "A1-0", "3000")
    with pytest.raises(Exception, match="应交党费 15.00 元.*关于中国共产党党费收缴"):
        _pay(world, "A1-0", 2026, 6, amount="14.99")
    assert _pay(world, "A1-0", 2026, 6, amount="100").amount == D("100.00")


def test_future_months_months_before_the_records_start_and_missing_bases_are_refused(world, july):
    with pytest.raises(Exception, match="尚未核定"):
        _pay(world, "A1-0", 2026, 7)
    _base(world, "A1-0", "3000")
    with pytest.raises(Exception, match="尚未到来"):
        _pay(world, "A1-0", 2026, 8)
    with pytest.raises(Exception, match="从2026年1月起"):
        _pay(world, "A1-0", 2025, 12)
    with pytest.raises(Exception, match="晚于今天"):
        _pay(world, "A1-0", 2026, 7, paid_on=date(2026, 7, 16))
    assert not DuesPayment.objects.exists()


def test_a_member_who_has_left_cannot_pay(world, july):
    _base(world, "A1-0", "3000")
    PartyMember.objects.filter(pk=world.members["A1-0"].pk).update(status="deceased")
    with pytest.raises(Conflict, match="已去世"):
        _pay(world, "A1-0", 2026, 7)


@pytest.mark.parametrize(
    ("paid_through", "months", "level"),
    [
        ((2026, 6), 0, "ok"),
        ((2026, 4), 2, "ok"),
        ((2026, 3), 3, "warning"),  # warning at exactly 3
        ((2026, 1), 5, "warning"),
        (None, 6, "lapsed"),  # nothing since the records start (2026-01): Jan–Jun = 6 → lapsed
    ],
)
def test_arrears_boundaries(world, july, paid_through, months, level):
    member = world.members["A1-0"]
    payments = [(member.pk, *paid_through)] if paid_through else []
    assert services.dues_arrears([member], date(2026, 7, 15), payments)[member.pk] == (months, level)


def test_arrears_count_from_the_month_a_new_member_was_accepted(world):
    member = world.members["A1-2"]
    member.joined_on = date(2026, 5, 20)
    assert services.dues_arrears([member], date(2026, 7, 15), [])[member.pk] == (2, "ok")


def test_the_warning_threshold_is_configurable(world):
    Rule.objects.create(key="party.dues.arrears_warning_months", value=2)
    member = world.members["A1-0"]
    assert services.dues_arrears([member], date(2026, 4, 1), [])[member.pk] == (3, "warning")
    assert services.dues_arrears([member], date(2026, 3, 1), [])[member.pk] == (2, "warning")


def test_the_branch_dues_page_lists_amounts_and_arrears_badges(world, client, july):
    _base(world, "A1-0", "3000")
    _pay(world, "A1-0", 2026, 6)
    client.force_login(world.user("branch"))
    page = client.get(f"/party/orgs/{world.orgs['A1'].pk}/dues/").content.decode()
    assert "15.00" in page and "连续欠交6个月以上" in page and "第九条" in page


def test_recording_through_the_page_and_seeing_the_error_for_a_duplicate(world, client, july):
    _base(world, "A1-0", "3000")
    client.force_login(world.user("branch"))
    form = {
        "member": world.members["A1-0"].pk,
        "year": 2026,
        "month": 7,
        "amount": "15.00",
        "paid_on": "2026-07-15",
    }
    assert client.post(f"/party/orgs/{world.orgs['A1'].pk}/dues/pay/", form).status_code == 302
    page = client.post(f"/party/orgs/{world.orgs['A1'].pk}/dues/pay/", form, follow=True).content.decode()
    assert "已登记" in page and DuesPayment.objects.count() == 1


def test_the_outsider_branch_gets_404_for_a1s_dues_and_cannot_record_for_its_members(world, client, july):
    _base(world, "A1-0", "3000")
    client.force_login(world.user("outsider_branch"))
    assert client.get(f"/party/orgs/{world.orgs['A1'].pk}/dues/").status_code == 404
    assert client.get(f"/party/orgs/{world.orgs['A1'].pk}/dues/2026/").status_code == 404
    form = {"member": world.members["A1-0"].pk, "year": 2026, "month": 7, "amount": "15.00"}
    assert client.post(f"/party/orgs/{world.orgs['A2'].pk}/dues/pay/", form).status_code == 404
    assert not DuesPayment.objects.exists()


def test_the_yearly_publication_totals_each_month(world, client, july):
    for key in ("A1-0", "A1-1"):
        _base(world, key, "3000")
        _pay(world, key, 2026, 1)
    _pay(world, "A1-0", 2026, 2, amount="20")
    client.force_login(world.user("branch"))
    response = client.get(f"/party/orgs/{world.orgs['A1'].pk}/dues/2026/")
    months = {m["month"]: m for m in response.context["months"]}
    assert months[1]["total"] == D("30.00") and months[1]["payers"] == 2
    assert months[2]["total"] == D("20.00") and response.context["total"] == D("50.00")


def test_the_dues_page_runs_a_fixed_number_of_queries(world, client, july, django_assert_num_queries):
    for key in ("A1-0", "A1-1", "A1-2"):
        _base(world, key, "3000")
        _pay(world, key, 2026, 6)
    client.force_login(world.user("branch"))
    client.get(f"/party/orgs/{world.orgs['A1'].pk}/dues/")
    # session, user, staff check, grants, the org (scoped), count, members with person, bases, payments,
    # nav orgs, session save (savepoint, update, release); none per member.
    with django_assert_num_queries(13):
        client.get(f"/party/orgs/{world.orgs['A1'].pk}/dues/")
