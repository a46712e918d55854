from django.urls import path

from innobridge.demands import list_views

app_name = "demand_lists"
urlpatterns = [
    path("", list_views.list_index, name="index"),
    path("new/", list_views.list_create, name="create"),
    path("<int:pk>/", list_views.list_detail, name="detail"),
    path("<int:pk>/add/", list_views.list_add, name="add"),
    path("<int:pk>/publish/", list_views.list_publish, name="publish"),
]
