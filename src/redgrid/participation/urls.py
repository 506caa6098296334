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

# 志愿服务 (volunteer_urls.py)
from redgrid.participation.volunteer_urls import urlpatterns as _volunteer_urls  # noqa: E402

urlpatterns += _volunteer_urls

# 议事厅、征求意见、公开公示、网上评议、信息发布 (deliberation_urls.py)
from redgrid.participation.deliberation_urls import urlpatterns as _deliberation_urls  # noqa: E402

urlpatterns += _deliberation_urls
