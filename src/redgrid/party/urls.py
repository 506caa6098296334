from django.urls import path

from redgrid.party import dues_views, meeting_views, member_views, views

app_name = "party"
urlpatterns = [
    path("orgs/", views.orgs, name="orgs"),
    path("orgs/<int:pk>/", views.org, name="org"),
    path("members/", views.members, name="members"),
    path("members/export/", views.members_export, name="members_export"),
    path("members/import/", views.members_import, name="members_import"),
    path("members/import/template/", views.members_template, name="members_template"),
    path("coverage/", views.coverage, name="coverage"),
    path("compliance/", meeting_views.compliance, name="compliance"),
    path("orgs/<int:pk>/dues/", dues_views.branch_dues, name="dues"),
    path("orgs/<int:pk>/dues/pay/", dues_views.dues_pay, name="dues_pay"),
    path("orgs/<int:pk>/dues/<int:year>/", dues_views.dues_publication, name="dues_publication"),
    path("members/<int:pk>/", member_views.member, name="member"),
    path("members/<int:pk>/action/", member_views.member_action, name="member_action"),
    path("transfers/<int:pk>/letter/", member_views.transfer_letter, name="transfer_letter"),
    path("transfers/<int:pk>/receipt/", member_views.transfer_receipt, name="transfer_receipt"),
    path("meetings/", meeting_views.meetings, name="meetings"),
    path("meetings/new/", meeting_views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", meeting_views.meeting, name="meeting"),
    path("meetings/<int:pk>/attendance/", meeting_views.meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:pk>/close/", meeting_views.meeting_close, name="meeting_close"),
    path("meetings/<int:pk>/sign-in/<str:token>/", meeting_views.meeting_sign_in, name="meeting_sign_in"),
]
