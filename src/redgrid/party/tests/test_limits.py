"""The party rows of the rules table: defaults exactly as rules.md, overridable by a Rule row."""

from datetime import date
from decimal import Decimal

import pytest

from redgrid.core.models import Rule
from redgrid.core.rules import REGISTRY, rule_value
from redgrid.party import limits
from redgrid.party import rules as R


def test_every_meeting_kind_has_a_period_rule_defaulting_to_the_regulation():
    for kind, period in R.COMPLIANCE_DEFAULTS.items():
        assert REGISTRY[f"party.meeting_period.{kind}"].default == period
    assert REGISTRY["party.meeting_period.talk"].default == "year"
    assert REGISTRY["party.meeting_period.party_lecture"].confidence == "M"


def test_each_party_rule_carries_a_source_and_a_confidence_mark():
    party = [r for k, r in REGISTRY.items() if k.startswith("party.")]
    assert len(party) >= 30
    for r in party:
        assert r.source and r.description and r.confidence in {"H", "M", "L"}


def test_the_defaults_match_rules_md():
    assert rule_value.__module__  # the registry is read through rule_value
    defaults = {k: r.default for k, r in REGISTRY.items()}
    assert defaults["party.dues.arrears_warning_months"] == 3
    assert defaults["party.dues.arrears_lapse_months"] == 6
    assert defaults["party.transfer.letter_valid_months"] == 3
    assert defaults["party.recruit.talk_months"] == 1
    assert defaults["party.recruit.approval_months"] == 3
    assert defaults["party.recruit.approval_extended_months"] == 6
    assert defaults["party.recruit.publicity_working_days"] == 5
    assert defaults["party.term.reminder_months"] == 3
    assert Decimal(defaults["party.dues.farmer_amount"]) == Decimal("0.20")


@pytest.mark.django_db
def test_a_rule_row_overrides_the_default_without_a_code_change():
    assert limits.meeting_period("party_lecture") == "quarter"
    Rule.objects.create(key="party.meeting_period.party_lecture", value="month", note="本地要求每月一次党课")
    Rule.objects.create(key="party.dues.farmer_amount", value="0.50")
    Rule.objects.create(key="party.recruit.probation_months", value=12)
    Rule.objects.create(key="party.dues.arrears_warning_months", value=2)
    assert limits.meeting_period("party_lecture") == "month"
    assert limits.farmer_amount() == Decimal("0.50")
    assert limits.arrears_thresholds() == {"warning_at": 2, "lapsed_at": 6}
    assert limits.probation_end_of(date(2025, 1, 31), 6) == date(2026, 7, 31)


@pytest.mark.django_db
def test_the_branch_limits_feed_the_structure_findings():
    Rule.objects.create(key="party.branch.committee_threshold", value=5)
    assert R.branch_findings(5, 0, False, **limits.branch_limits()) == {"needs_committee"}
