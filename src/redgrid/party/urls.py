from django.urls import path

from redgrid.party import views

app_name = "party"
urlpatterns = [
    path("orgs/", views.orgs, name="orgs"),
    path("orgs/<int:pk>/", views.org, name="org"),
    path("members/", views.members, name="members"),
    path("coverage/", views.coverage, name="coverage"),
]
