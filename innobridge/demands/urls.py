from django.urls import path

from innobridge.demands import views

app_name = "demands"
urlpatterns = [
    path("", views.demand_list, name="list"),
    path("new/", views.demand_create, name="create"),
    path("<int:pk>/", views.demand_detail, name="detail"),
    path("<int:pk>/matches/", views.demand_matches, name="matches"),
    path("<int:pk>/edit/", views.demand_edit, name="edit"),
    path("<int:pk>/transition/", views.demand_transition, name="transition"),
    path("<int:pk>/apply/", views.challenge_apply, name="apply"),
    path("<int:pk>/applications/<int:application_pk>/", views.challenge_judge, name="judge"),
    path("<int:pk>/files/<int:attachment_pk>/", views.challenge_attachment, name="attachment"),
    path("<int:pk>/milestones/", views.milestone, name="milestone"),
    path(
        "<int:pk>/milestones/<int:milestone_pk>/file/", views.milestone_file, name="milestone_file"
    ),
    path("<int:pk>/match/<int:project_pk>/", views.demand_match_mark, name="match_mark"),
]
