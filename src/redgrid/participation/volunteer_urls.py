"""URL patterns of 志愿服务, appended to participation/urls.py (names prefixed `vol_`)."""

from django.urls import path

from redgrid.participation import volunteer_manage_views as manage
from redgrid.participation import volunteer_views as views

P = "volunteers/"
urlpatterns = [
    # residents and members (mobile)
    path(P, views.activities, name="vol_activities"),
    path(P + "activities/<int:pk>/", views.activity, name="vol_activity"),
    path(P + "shifts/<int:pk>/signup/", views.signup, name="vol_signup"),
    path(P + "signups/<int:pk>/<slug:action>/", views.signup_act, name="vol_signup_act"),
    path(P + "mine/", views.my_shifts, name="vol_my_shifts"),
    path(P + "scan/<str:token>/", views.scan, name="vol_scan"),
    path(P + "hours/", views.hours, name="vol_hours"),
    path(P + "teams/", views.teams, name="vol_teams"),
    path(P + "teams/<int:pk>/", views.team, name="vol_team"),
    path(P + "teams/<int:pk>/join/", views.team_join, name="vol_team_join"),
    path(P + "requests/<int:pk>/<slug:action>/", views.request_act, name="vol_request_act"),
    path(P + "projects/", views.projects, name="vol_projects"),
    path(P + "projects/new/", views.project_new, name="vol_project_new"),
    path(P + "projects/<int:pk>/", views.project, name="vol_project"),
    path(P + "projects/<int:pk>/<slug:action>/", views.project_act, name="vol_project_act"),
    # organisers and staff
    path(P + "manage/activities/", manage.manage, name="vol_manage"),
    path(P + "manage/activities/new/", manage.activity_new, name="vol_activity_new"),
    path(P + "manage/activities/<int:pk>/cancel/", manage.activity_cancel, name="vol_activity_cancel"),
    path(P + "manage/activities/<int:pk>/edit/", manage.activity_update, name="vol_activity_update"),
    path(P + "manage/activities/<int:pk>/shifts/", manage.shift_add, name="vol_shift_add"),
    path(P + "manage/shifts/<int:pk>/", manage.roster, name="vol_roster"),
    path(P + "manage/shifts/<int:pk>/qr/", manage.roster_qr, name="vol_roster_qr"),
    path(P + "manage/shifts/<int:pk>/confirm-all/", manage.confirm_all, name="vol_confirm_all"),
    path(P + "manage/shifts/<int:pk>/cancel/", manage.shift_cancel, name="vol_shift_cancel"),
    path(P + "manage/hours/", manage.hours_queue, name="vol_hours_queue"),
    path(P + "manage/requests/", manage.requests, name="vol_requests"),
    path(P + "manage/projects/", manage.project_queue, name="vol_project_queue"),
    path(P + "manage/people/", manage.people, name="vol_people"),
    path(P + "manage/teams/new/", manage.team_new, name="vol_team_new"),
]
