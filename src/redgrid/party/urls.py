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
    path("members/import/<int:pk>/", views.members_import_job, name="members_import_job"),
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

# 发展党员 (recruitment)
from redgrid.party import recruitment_views as rv  # noqa: E402

urlpatterns += [
    path("recruitment/", rv.applicants, name="recruitment"),
    path("recruitment/new/", rv.applicant_new, name="recruitment_new"),
    path("recruitment/overdue/", rv.overdue, name="recruitment_overdue"),
    path("recruitment/notices/", rv.notices, name="recruitment_notices"),
    path("recruitment/notices/<int:pk>/", rv.notice, name="recruitment_notice"),
    path("recruitment/<int:pk>/", rv.applicant, name="recruitment_applicant"),
    path("recruitment/<int:pk>/advance/", rv.applicant_advance, name="recruitment_advance"),
    path("recruitment/<int:pk>/upload/", rv.applicant_upload, name="recruitment_upload"),
    path("recruitment/<int:pk>/documents/<int:doc_id>/", rv.applicant_document, name="recruitment_document"),
    path("recruitment/<int:pk>/publicity/", rv.applicant_publicity, name="recruitment_publicity"),
    path("recruitment/<int:pk>/extend/", rv.applicant_extend, name="recruitment_extend"),
    path("recruitment/<int:pk>/terminate/", rv.applicant_terminate, name="recruitment_terminate"),
    path(
        "recruitment/<int:pk>/objections/<int:objection_id>/resolve/",
        rv.objection_resolve,
        name="recruitment_objection_resolve",
    ),
]

# 定期填报、换届、双报到、民主评议 pages (party/reporting_urls.py).
from redgrid.party.reporting_urls import urlpatterns as _reporting_urls  # noqa: E402

urlpatterns += _reporting_urls
