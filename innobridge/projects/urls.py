from django.urls import path

from innobridge.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/matches/", views.project_matches, name="matches"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/transition/", views.project_transition, name="transition"),
    path("<int:pk>/growth/", views.project_growth, name="growth"),
    path(
        "<int:pk>/milestones/<int:milestone_pk>/file/", views.milestone_file, name="milestone_file"
    ),
]
