from django.urls import path

from redgrid.participation import views

app_name = "participation"
urlpatterns = [
    path("wishes/", views.board, name="board"),
    path("wishes/new/", views.new, name="new"),
    path("wishes/mine/", views.my_wishes, name="my_wishes"),
    path("wishes/shake/", views.shake, name="shake"),
    path("wishes/review/", views.review, name="review"),
    path("wishes/ranking/", views.ranking, name="ranking"),
    path("wishes/stories/", views.stories, name="stories"),
    path("wishes/stories/<int:pk>/", views.story, name="story"),
    path("wishes/<int:pk>/", views.detail, name="wish"),
    path("wishes/<int:pk>/photo/", views.photo, name="photo"),
    path("wishes/<int:pk>/photos/<int:photo_id>/", views.photo, name="fulfil_photo"),
    path("wishes/<int:pk>/<slug:action>/", views.act, name="act"),
]
