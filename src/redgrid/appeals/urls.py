"""Pages of 接诉即办: the resident/member H5 pages (views_h5) and the staff pages (views_staff)."""

from redgrid.appeals import views_h5, views_staff

app_name = "appeals"
urlpatterns = views_h5.urlpatterns + views_staff.urlpatterns
