from importlib.util import find_spec

from django.apps import apps
from django.contrib import admin
from django.urls import include, path

from redgrid.core import views as core_views
from redgrid.core.api import api, register_routers

# Routers are mounted here, once every app module can be imported completely (not while core.api loads).
register_routers()

admin.site.site_header = "红色网格 · 系统管理"
admin.site.site_title = "红色网格"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("workbench/", core_views.workbench, name="workbench"),
    path("h5/", core_views.h5_home, name="h5_home"),
    path("inbox/", core_views.inbox, name="inbox"),
    path("inbox/read-all/", core_views.inbox_read_all, name="inbox_read_all"),
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    # Open311 GeoReport v2 keeps its standard path (not the /appeals/ prefix of app pages).
    path("open311/", include("redgrid.appeals.open311_urls")),
]

# Each app with a urls module is mounted at /<app label>/ (accounts/, regions/, party/, appeals/, …).
for _config in apps.get_app_configs():
    if _config.name.startswith("redgrid.") and find_spec(f"{_config.name}.urls"):
        urlpatterns.append(path(f"{_config.label}/", include(f"{_config.name}.urls")))
