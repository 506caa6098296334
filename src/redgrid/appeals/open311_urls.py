"""Open311 GeoReport v2 at /open311/ (mounted in redgrid/urls.py): discovery and the v2 methods."""

from django.urls import re_path

from redgrid.appeals import open311

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^discovery" + FMT, open311.discovery_view, name="discovery"),
    re_path(r"^v2/services" + FMT, open311.services_view, name="services"),
    re_path(r"^v2/services/(?P<service_code>[^/]+?)" + FMT, open311.service_definition_view, name="service"),
    re_path(r"^v2/requests" + FMT, open311.requests_view, name="requests"),
    re_path(r"^v2/requests/(?P<service_request_id>[^/]+?)" + FMT, open311.request_view, name="request"),
    re_path(r"^v2/tokens/(?P<token>[^/]+?)" + FMT, open311.token_view, name="token"),
    re_path(r"^v2/servicerequestupdates" + FMT, open311.updates_view, name="updates"),
]
