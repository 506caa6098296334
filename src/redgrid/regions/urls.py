from django.urls import path

from redgrid.regions import views

app_name = "regions"
urlpatterns = [
    path("nodes/<int:pk>/", views.node, name="node"),
    path("nodes/<int:pk>/children/", views.children, name="children"),
    path("search/", views.region_search, name="search"),
    path("grids/", views.grids, name="grids"),
    path("grids/<int:pk>/", views.grid, name="grid"),
    path("map/", views.grid_map, name="map"),
    path("map/grids.geojson", views.geojson, name="geojson"),
    path("residents/", views.residents, name="residents"),
    path("residents/<int:pk>/", views.resident, name="resident"),
    path("residents/<int:pk>/reveal/<str:field>/", views.resident_reveal, name="reveal"),
]
