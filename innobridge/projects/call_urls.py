from django.urls import path

from innobridge.projects import call_views as views

app_name = "calls"
urlpatterns = [
    path("", views.call_list, name="list"),
    path("new/", views.call_create, name="create"),
    path("<int:pk>/", views.call_detail, name="detail"),
    path("<int:pk>/results/", views.call_results, name="results"),
    path("<int:pk>/action/", views.call_action, name="action"),
    path("<int:pk>/apply/", views.call_apply, name="apply"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission"),
    path("submissions/<int:pk>/screen/", views.submission_screen, name="screen"),
    path("files/<int:pk>/", views.submission_file, name="file"),
]
