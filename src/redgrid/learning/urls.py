from django.urls import path

from redgrid.learning import views

app_name = "learning"
urlpatterns = [
    path("", views.home, name="home"),
    path("courses/<int:pk>/", views.course, name="course"),
    path("courses/<int:pk>/file/", views.course_file, name="course_file"),
    path("quiz/daily/", views.daily, name="daily"),
    path("quiz/<int:pk>/start/", views.start, name="start"),
    path("attempts/<int:pk>/", views.attempt, name="attempt"),
    path("points/", views.points, name="points"),
    path("branch/", views.branch, name="branch"),
]
