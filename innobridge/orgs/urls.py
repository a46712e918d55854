from django.urls import path

from innobridge.orgs import views

app_name = "orgs"
urlpatterns = [
    path("orgs/", views.organization_list, name="list"),
    path("orgs/new/", views.organization_create, name="create"),
    path("orgs/<int:pk>/", views.organization_detail, name="detail"),
    path("orgs/<int:pk>/edit/", views.organization_edit, name="edit"),
    path("labs/", views.joint_lab_list, name="lab_list"),
    path("labs/<int:pk>/", views.joint_lab_detail, name="lab_detail"),
]
