"""Pages of 考核评价, mounted at /assessment/."""

from django.urls import path

from redgrid.assessment import dashboard_views as dash
from redgrid.assessment import views

app_name = "assessment"
# 考核排名、节点详情、指标背后的记录、报表下载、考核方案 (views.py)
urlpatterns = [
    path("", views.ranking, name="ranking"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("export.pdf", views.export_pdf, name="export_pdf"),
    path("node/<str:key>/", views.node, name="node"),
    path("node/<str:key>/records/<slug:indicator>/", views.node_records, name="records"),
    path("schemes/", views.scheme_list, name="schemes"),
    path("schemes/new/", views.scheme_new, name="scheme_new"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme"),
    path("schemes/<int:pk>/activate/", views.scheme_activate, name="scheme_activate"),
]

# 大屏、支部视图、公开统计、每月一题、未诉先办、资源配置 (dashboard_views.py)
urlpatterns += [
    path("screen/", dash.screen, name="screen"),
    path("branch/", dash.branch, name="branch"),
    path("stats/", dash.public, name="public_stats"),
    path("hot/", dash.hot, name="hot"),
    path("tasks/", dash.tasks, name="tasks"),
    path("tasks/<int:pk>/", dash.task, name="task"),
    path("tasks/<int:pk>/complete/", dash.task_complete, name="task_complete"),
    path("allocation/", dash.allocation, name="allocation"),
]
