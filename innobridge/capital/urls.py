from django.urls import path

from innobridge.capital import views

app_name = "capital"
urlpatterns = [
    path("", views.investor_list, name="list"),
    path("new/", views.investor_create, name="create"),
    path("<int:pk>/", views.investor_detail, name="detail"),
    path("<int:pk>/edit/", views.investor_edit, name="edit"),
]
