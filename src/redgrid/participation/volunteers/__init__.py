"""Writes of 志愿服务: teams and join requests, activities and shifts, sign-up → check-in → check-out →
hours confirmed, and resident-proposed projects (自主申报项目).

Every service runs in one transaction, locks the row it changes, validates the transition against the
`*_TRANSITIONS` tables, writes a `VolunteerEvent` and an audit row, and queues inbox notices for after
commit. Reads live in `volunteer_selectors`. Callers import from here (`from redgrid.participation import
volunteers`); the modules of the package are an implementation detail:

- common.py      workflow tables, event rows, notices, input cleaning, row locks
- teams.py       teams and join requests
- activities.py  activities, shifts, sign-up and cancellation
- hours.py       QR check-in/out tokens, hours, confirmation by the organiser
- projects.py    自主申报项目
"""

from redgrid.participation.volunteer_selectors import dual_report_hours, dual_report_hours_by_user
from redgrid.participation.volunteers.activities import (
    activity_cancel,
    activity_create,
    activity_update,
    shift_add,
    shift_cancel,
    shift_signup,
    signup_cancel,
)
from redgrid.participation.volunteers.common import (
    MEMBERSHIP_TRANSITIONS,
    PROJECT_TRANSITIONS,
    SIGNUP_TRANSITIONS,
)
from redgrid.participation.volunteers.hours import (
    SCAN_KINDS,
    SCAN_SALT,
    compute_hours,
    read_scan_token,
    scan_token,
    shift_confirm_all,
    shift_length_hours,
    signup_confirm,
    signup_mark_absent,
    signup_scan,
)
from redgrid.participation.volunteers.projects import (
    project_approve,
    project_propose,
    project_reject,
    project_withdraw,
)
from redgrid.participation.volunteers.teams import (
    membership_approve,
    membership_leave,
    membership_reject,
    team_create,
    team_join,
)

__all__ = [
    "MEMBERSHIP_TRANSITIONS",
    "PROJECT_TRANSITIONS",
    "SCAN_KINDS",
    "SCAN_SALT",
    "SIGNUP_TRANSITIONS",
    "activity_cancel",
    "activity_update",
    "activity_create",
    "compute_hours",
    "dual_report_hours",
    "dual_report_hours_by_user",
    "membership_approve",
    "membership_leave",
    "membership_reject",
    "project_approve",
    "project_propose",
    "project_reject",
    "project_withdraw",
    "read_scan_token",
    "scan_token",
    "shift_add",
    "shift_cancel",
    "shift_confirm_all",
    "shift_length_hours",
    "shift_signup",
    "signup_cancel",
    "signup_confirm",
    "signup_mark_absent",
    "signup_scan",
    "team_create",
    "team_join",
]
