"""Page routes of 定期填报, 换届, 双报到 and 民主评议 (added to party/urls.py, namespace "party")."""

from django.urls import path

from redgrid.party import dual_views, evaluation_views, reporting_views

urlpatterns = [
    path("reports/", reporting_views.reports, name="reports"),
    path("reports/submit/", reporting_views.report_submit, name="report_submit"),
    path("reports/<int:pk>/", reporting_views.report, name="report"),
    path("reports/<int:pk>/review/", reporting_views.report_review, name="report_review"),
    path("terms/", reporting_views.terms_list, name="terms"),
    path("terms/<int:pk>/", reporting_views.term_detail, name="term"),
    path("terms/<int:pk>/election/", reporting_views.term_election, name="term_election"),
    path("dual/", dual_views.dual_members, name="dual_members"),
    path("dual/members/<int:pk>/", dual_views.dual_member, name="dual_member"),
    path("dual/community/", dual_views.dual_community, name="dual_community"),
    path("dual/decide/", dual_views.dual_decide, name="dual_decide"),
    path("evaluations/", evaluation_views.rounds, name="evaluations"),
    path("evaluations/open/", evaluation_views.round_open, name="evaluation_open"),
    path("evaluations/<int:pk>/", evaluation_views.round_detail, name="evaluation"),
    path("evaluations/<int:pk>/advance/", evaluation_views.round_advance, name="evaluation_advance"),
    path("evaluations/<int:pk>/decide/", evaluation_views.round_decide, name="evaluation_decide"),
    path("h5/dual/", dual_views.h5_dual, name="h5_dual"),
    path("h5/dual/register/", dual_views.h5_dual_register, name="h5_dual_register"),
    path("h5/dual/service/", dual_views.h5_dual_service, name="h5_dual_service"),
    path("h5/evaluation/", evaluation_views.h5_evaluation, name="h5_evaluation"),
    path("h5/evaluation/<int:pk>/", evaluation_views.h5_evaluation_act, name="h5_evaluation_act"),
]
