"""Boundary tests for redgrid.party.rules (pure: no database, no Django)."""

from datetime import date
from decimal import Decimal

import pytest

from redgrid.party import rules
from redgrid.party.rules import (
    COMPLIANCE_DEFAULTS,
    FINDING_MESSAGES,
    RECRUITMENT_STEPS,
    STAGES,
    acceptance_vote_passes,
    add_months,
    approval_deadline,
    arrears_level,
    branch_findings,
    can_apply,
    dues_months_in_arrears,
    earliest_development_date,
    meeting_quorum_met,
    monthly_dues,
    period_bounds,
    probation_end,
    reelection_reminder_date,
    talk_deadline,
    term_end,
)

D = Decimal

# --------------------------------------------------------------------------------------------------------
# Dues
# --------------------------------------------------------------------------------------------------------


def test_income_of_exactly_3000_pays_half_a_percent():
    assert monthly_dues("employed", D("3000")) == D("15.00")


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        (D("0"), D("0.00")),
        (D("3000"), D("15.00")),  # 0.5%, upper bound inclusive
        (D("3000.01"), D("30.00")),  # 1%: 30.0001
        (D("5000"), D("50.00")),
        (D("5000.01"), D("75.00")),  # 1.5%: 75.00015
        (D("10000"), D("150.00")),
        (D("10000.01"), D("200.00")),  # 2%: 200.0002
        (D("20000"), D("400.00")),
    ],
)
def test_employed_dues_follow_the_brackets_with_inclusive_upper_bounds(base, expected):
    assert monthly_dues("employed", base) == expected


@pytest.mark.parametrize("category", ["annual_salary", "self_employed"])
def test_annual_salary_and_self_employed_use_the_same_brackets_as_employees(category):
    assert monthly_dues(category, D("3000")) == D("15.00")
    assert monthly_dues(category, D("5000.01")) == D("75.00")
    assert monthly_dues(category, D("10000.01")) == D("200.00")


@pytest.mark.parametrize(
    ("base", "expected"),
    [(D("5000"), D("25.00")), (D("5000.01"), D("50.00")), (D("3000.01"), D("15.00"))],
)
def test_retired_members_pay_half_a_percent_up_to_5000_and_one_percent_above(base, expected):
    assert monthly_dues("retired", base) == expected


def test_dues_round_half_up_not_to_even():
    # 1001 × 0.5% = 5.005: banker's rounding would give 5.00.
    assert monthly_dues("employed", D("1001")) == D("5.01")
    # 4500.50 × 1% = 45.005
    assert monthly_dues("employed", D("4500.50")) == D("45.01")


def test_an_integer_base_is_accepted():
    assert monthly_dues("employed", 4000) == D("40.00")


def test_a_float_base_is_refused_because_it_cannot_hit_the_brackets_exactly():
    with pytest.raises(TypeError):
        monthly_dues("employed", 3000.01)


def test_negative_base_is_refused_with_a_citation():
    with pytest.raises(
        ValueError, match="不能为负数.*依据：中组部《关于中国共产党党费收缴、使用和管理的规定》"
    ):
        monthly_dues("employed", D("-1"))


@pytest.mark.parametrize("category", ["employed", "annual_salary", "self_employed", "retired"])
def test_missing_base_is_refused_where_dues_are_a_percentage(category):
    with pytest.raises(ValueError, match="必须提供计算基数.*（依据：中组部"):
        monthly_dues(category)


@pytest.mark.parametrize("category", ["student", "unemployed", "low_income"])
def test_students_unemployed_and_low_income_members_pay_twenty_fen_without_a_base(category):
    assert monthly_dues(category) == D("0.20")
    assert monthly_dues(category, D("8000")) == D("0.20")  # any base is ignored


def test_a_negative_base_is_refused_even_where_it_is_not_needed():
    with pytest.raises(ValueError):
        monthly_dues("student", D("-5"))


@pytest.mark.parametrize("amount", [D("0.20"), D("0.50"), D("1.00"), D("1")])
def test_farmer_amount_within_twenty_fen_and_one_yuan_is_charged_as_set(amount):
    assert monthly_dues("farmer", farmer_amount=amount) == amount.quantize(D("0.01"))


def test_farmers_pay_twenty_fen_by_default():
    assert monthly_dues("farmer") == D("0.20")


@pytest.mark.parametrize("amount", [D("0.19"), D("1.01"), D("0"), D("-0.20")])
def test_farmer_amount_outside_the_range_is_refused(amount):
    with pytest.raises(ValueError, match="0.2元至1元.*依据"):
        monthly_dues("farmer", farmer_amount=amount)


def test_unknown_category_is_refused_with_a_citation():
    with pytest.raises(ValueError, match="未知的党费缴纳类别.*依据：中组部"):
        monthly_dues("soldier", D("5000"))


def test_every_dues_category_has_a_rule():
    for category in rules.DUES_CATEGORIES:
        base = None if category in {"farmer", "student", "unemployed", "low_income"} else D("4000")
        assert monthly_dues(category, base) >= D("0.20")


# --------------------------------------------------------------------------------------------------------
# Arrears
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("months", "level"), [(0, "ok"), (2, "ok"), (3, "warning"), (5, "warning"), (6, "lapsed"), (12, "lapsed")]
)
def test_arrears_level_warns_at_three_months_and_lapses_at_six(months, level):
    assert arrears_level(months) == level


def test_arrears_thresholds_can_be_set_by_the_deployment():
    assert arrears_level(2, warning_at=2) == "warning"


def test_negative_arrears_are_refused():
    with pytest.raises(ValueError):
        arrears_level(-1)


def test_arrears_count_back_across_a_year_boundary():
    paid = {(2024, 9), (2024, 10)}
    # Due so far: up to Feb 2025; Nov, Dec 2024, Jan, Feb 2025 are unpaid.
    assert dues_months_in_arrears(paid, (2024, 1), date(2025, 3, 15)) == 4


def test_the_current_month_is_not_yet_in_arrears():
    paid = {(2025, 2)}
    assert dues_months_in_arrears(paid, (2024, 1), date(2025, 3, 31)) == 0
    assert dues_months_in_arrears(paid, (2024, 1), date(2025, 4, 1)) == 1


def test_months_before_the_member_owed_dues_do_not_count():
    assert dues_months_in_arrears(set(), (2024, 11), date(2025, 3, 1)) == 4
    assert dues_months_in_arrears(set(), (2025, 3), date(2025, 3, 20)) == 0


def test_arrears_stop_at_the_latest_paid_month_even_if_older_months_are_unpaid():
    paid = {(2024, 12)}
    assert dues_months_in_arrears(paid, (2024, 1), date(2025, 2, 10)) == 1


def test_six_unpaid_months_spanning_new_year_lapse():
    paid = {(2024, 7)}
    months = dues_months_in_arrears(paid, (2020, 1), date(2025, 2, 1))
    assert months == 6
    assert arrears_level(months) == "lapsed"


# --------------------------------------------------------------------------------------------------------
# Date arithmetic
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2025, 1, 31), 1, date(2025, 2, 28)),  # non-leap year
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2025, 1, 15), -1, date(2024, 12, 15)),  # back across a year boundary
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 5, 10), 0, date(2025, 5, 10)),
        (date(2025, 5, 10), -17, date(2023, 12, 10)),
    ],
)
def test_add_months_keeps_the_day_and_clamps_to_the_end_of_a_shorter_month(start, months, expected):
    assert add_months(start, months) == expected


def test_talk_must_happen_within_one_month_of_the_application():
    assert talk_deadline(date(2025, 3, 10)) == date(2025, 4, 10)
    assert talk_deadline(date(2025, 1, 31)) == date(2025, 2, 28)


def test_an_activist_can_become_a_development_candidate_one_year_after_confirmation():
    assert earliest_development_date(date(2024, 6, 1)) == date(2025, 6, 1)


@pytest.mark.parametrize(
    ("extension", "expected"),
    [(0, date(2025, 7, 1)), (6, date(2026, 1, 1)), (12, date(2026, 7, 1))],
)
def test_probation_lasts_a_year_plus_any_extension(extension, expected):
    assert probation_end(date(2024, 7, 1), extension) == expected


@pytest.mark.parametrize("extension", [5, 13, -6, 1])
def test_probation_extension_must_be_between_six_and_twelve_months(extension):
    with pytest.raises(ValueError, match="依据：《中国共产党章程》第七条"):
        probation_end(date(2024, 7, 1), extension)


def test_probation_end_is_computed_in_one_step_so_the_31st_is_not_clamped_twice():
    # 31 Aug 2024 + 18 months = 28 Feb 2026 directly.
    assert probation_end(date(2024, 8, 31), 6) == date(2026, 2, 28)
    assert probation_end(date(2024, 2, 29), 6) == date(2025, 8, 29)


def test_approval_deadline_is_three_months_or_six_when_extended():
    assert approval_deadline(date(2025, 1, 15)) == date(2025, 4, 15)
    assert approval_deadline(date(2025, 1, 15), extended=True) == date(2025, 7, 15)
    assert approval_deadline(date(2024, 11, 30)) == date(2025, 2, 28)
    assert approval_deadline(date(2024, 8, 31), extended=True) == date(2025, 2, 28)


# --------------------------------------------------------------------------------------------------------
# Age
# --------------------------------------------------------------------------------------------------------


def test_an_applicant_may_apply_on_the_eighteenth_birthday():
    assert can_apply(date(2007, 5, 20), date(2025, 5, 20)) is True


def test_an_applicant_may_not_apply_the_day_before_the_eighteenth_birthday():
    assert can_apply(date(2007, 5, 20), date(2025, 5, 19)) is False


def test_someone_born_on_29_february_turns_eighteen_on_1_march_in_a_non_leap_year():
    assert can_apply(date(2008, 2, 29), date(2026, 2, 28)) is False
    assert can_apply(date(2008, 2, 29), date(2026, 3, 1)) is True


def test_a_29_february_birthday_is_kept_when_the_target_year_is_a_leap_year():
    # Leap year + 18 is never a leap year, so this case only arises with a configured minimum age.
    assert can_apply(date(2004, 2, 29), date(2024, 2, 28), min_age=20) is False
    assert can_apply(date(2004, 2, 29), date(2024, 2, 29), min_age=20) is True


def test_an_older_applicant_may_apply():
    assert can_apply(date(1960, 1, 1), date(2025, 1, 1)) is True


# --------------------------------------------------------------------------------------------------------
# Branch structure
# --------------------------------------------------------------------------------------------------------


def test_two_full_members_need_a_joint_branch():
    assert "needs_joint_branch" in branch_findings(2, 0, False)


def test_three_full_members_may_form_a_branch():
    assert branch_findings(3, 0, False) == set()


def test_probationary_members_do_not_count_towards_the_three_full_members():
    assert "needs_joint_branch" in branch_findings(2, 5, False)


@pytest.mark.parametrize(
    ("full", "probationary", "over"),
    [(50, 0, False), (45, 5, False), (51, 0, True), (46, 5, True)],
)
def test_more_than_50_members_in_all_is_flagged(full, probationary, over):
    assert ("over_50_members" in branch_findings(full, probationary, True)) is over


@pytest.mark.parametrize(
    ("full", "has_committee", "expected"),
    [
        (6, False, set()),
        (6, True, {"committee_not_allowed"}),
        (7, False, {"needs_committee"}),
        (7, True, set()),
    ],
)
def test_a_committee_is_required_from_seven_full_members_and_not_allowed_below(full, has_committee, expected):
    assert branch_findings(full, 0, has_committee) == expected


def test_probationary_members_do_not_count_towards_a_committee():
    assert branch_findings(6, 3, True) == {"committee_not_allowed"}


def test_negative_member_counts_are_refused():
    with pytest.raises(ValueError):
        branch_findings(-1, 0, False)


def test_every_finding_code_has_a_message_citing_the_branch_regulation():
    codes = {"needs_joint_branch", "over_50_members", "needs_committee", "committee_not_allowed"}
    assert set(FINDING_MESSAGES) == codes
    for message in FINDING_MESSAGES.values():
        assert "《中国共产党支部工作条例（试行）》" in message


# --------------------------------------------------------------------------------------------------------
# Recruitment steps
# --------------------------------------------------------------------------------------------------------


def test_recruitment_has_25_steps_in_5_stages_numbered_in_order():
    assert len(RECRUITMENT_STEPS) == 25
    assert [number for number, *_ in RECRUITMENT_STEPS] == list(range(1, 26))
    assert [number for number, _ in STAGES] == [1, 2, 3, 4, 5]
    stage_names = dict(STAGES)
    for _, stage, stage_name, _ in RECRUITMENT_STEPS:
        assert stage_names[stage] == stage_name


@pytest.mark.parametrize(
    ("number", "stage", "step"),
    [
        (1, 1, "递交入党申请书"),
        (2, 1, "党组织派人谈话"),
        (3, 2, "推荐和确定入党积极分子"),
        (6, 2, "培养教育考察"),
        (7, 3, "确定发展对象"),
        (11, 3, "开展集中培训"),
        (12, 4, "支部委员会审查"),
        (18, 4, "再上一级党委组织部门备案"),
        (19, 5, "编入党支部和党小组"),
        (25, 5, "材料归档"),
    ],
)
def test_recruitment_steps_match_the_regulation(number, stage, step):
    assert RECRUITMENT_STEPS[number - 1][0] == number
    assert RECRUITMENT_STEPS[number - 1][1] == stage
    assert RECRUITMENT_STEPS[number - 1][3] == step


def test_stage_names_are_as_in_the_regulation():
    assert STAGES == (
        (1, "申请入党"),
        (2, "入党积极分子的确定和培养教育"),
        (3, "发展对象的确定和考察"),
        (4, "预备党员的接收"),
        (5, "预备党员的教育考察和转正"),
    )


# --------------------------------------------------------------------------------------------------------
# Meetings and votes
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("present", "entitled", "met"),
    [(5, 10, False), (6, 10, True), (2, 5, False), (3, 5, True), (0, 0, False), (1, 1, True)],
)
def test_quorum_needs_more_than_half_and_exactly_half_is_not_enough(present, entitled, met):
    assert meeting_quorum_met(present, entitled) is met


def test_more_present_than_entitled_is_refused():
    with pytest.raises(ValueError):
        meeting_quorum_met(11, 10)


def test_acceptance_vote_needs_a_majority_of_all_entitled_full_members_not_just_of_those_present():
    # 6 of 10 present (quorum), 5 yes is a majority of those present but not of all 10.
    assert acceptance_vote_passes(6, 10, 5) is False
    assert acceptance_vote_passes(6, 10, 6) is True


def test_acceptance_vote_fails_without_a_quorum_even_if_yes_votes_suffice():
    # 5 present of 10 is exactly half; 6 yes (5 + 1 written opinion) cannot rescue a meeting without quorum.
    assert acceptance_vote_passes(5, 10, 6) is False


def test_written_opinions_of_absent_members_count_as_votes():
    assert acceptance_vote_passes(6, 10, 7) is True


def test_more_yes_votes_than_entitled_members_is_refused():
    with pytest.raises(ValueError):
        acceptance_vote_passes(10, 10, 11)


# --------------------------------------------------------------------------------------------------------
# Terms
# --------------------------------------------------------------------------------------------------------


def test_a_three_year_term_ends_on_the_third_anniversary():
    assert term_end(date(2023, 4, 18), years=rules.BRANCH_TERM_YEARS) == date(2026, 4, 18)


def test_a_village_or_community_term_is_five_years():
    assert term_end(date(2021, 2, 28), years=rules.VILLAGE_COMMUNITY_TERM_YEARS) == date(2026, 2, 28)


def test_a_term_starting_on_29_february_ends_on_28_february():
    assert term_end(date(2024, 2, 29), years=3) == date(2027, 2, 28)


def test_term_length_must_be_positive():
    with pytest.raises(ValueError):
        term_end(date(2024, 1, 1), years=0)


def test_reelection_reminder_defaults_to_three_months_before_the_term_ends():
    assert reelection_reminder_date(date(2026, 5, 31)) == date(2026, 2, 28)
    assert reelection_reminder_date(date(2026, 4, 18), months_before=6) == date(2025, 10, 18)


# --------------------------------------------------------------------------------------------------------
# Compliance periods
# --------------------------------------------------------------------------------------------------------


def test_compliance_defaults_cover_the_meeting_kinds():
    assert dict(COMPLIANCE_DEFAULTS) == {
        "branch_committee": "month",
        "group_meeting": "month",
        "theme_day": "month",
        "general_assembly": "quarter",
        "party_lecture": "quarter",
        "life_meeting": "year",
        "evaluation": "year",
    }
    assert set(rules.MEETING_KIND_LABELS) == set(COMPLIANCE_DEFAULTS)
    assert set(rules.MEETING_RULES) == set(COMPLIANCE_DEFAULTS)


def test_compliance_defaults_cannot_be_changed_in_place():
    with pytest.raises(TypeError):
        COMPLIANCE_DEFAULTS["theme_day"] = "year"  # type: ignore[index]


@pytest.mark.parametrize(
    ("period", "on", "bounds"),
    [
        ("month", date(2024, 2, 10), (date(2024, 2, 1), date(2024, 2, 29))),
        ("month", date(2025, 2, 28), (date(2025, 2, 1), date(2025, 2, 28))),
        ("month", date(2025, 12, 31), (date(2025, 12, 1), date(2025, 12, 31))),
        ("quarter", date(2025, 1, 1), (date(2025, 1, 1), date(2025, 3, 31))),
        ("quarter", date(2025, 3, 31), (date(2025, 1, 1), date(2025, 3, 31))),
        ("quarter", date(2025, 4, 1), (date(2025, 4, 1), date(2025, 6, 30))),
        ("quarter", date(2025, 8, 15), (date(2025, 7, 1), date(2025, 9, 30))),
        ("quarter", date(2025, 12, 31), (date(2025, 10, 1), date(2025, 12, 31))),
        ("year", date(2025, 12, 31), (date(2025, 1, 1), date(2025, 12, 31))),
        ("year", date(2024, 1, 1), (date(2024, 1, 1), date(2024, 12, 31))),
    ],
)
def test_period_bounds_give_the_inclusive_calendar_period(period, on, bounds):
    assert period_bounds(period, on) == bounds


def test_unknown_period_is_refused():
    with pytest.raises(ValueError):
        period_bounds("week", date(2025, 1, 1))
