from django.urls import path

from innobridge.capital import meeting_views as views

app_name = "matchmaking"
urlpatterns = [
    path("", views.session_list, name="list"),
    path("generate/", views.series_generate, name="generate"),
    path("stats/", views.stats, name="stats"),
    path("<int:pk>/", views.session_detail, name="detail"),
    path("<int:pk>/register/", views.session_register, name="register"),
    path("<int:pk>/mark/", views.session_mark, name="mark"),
    path("<int:pk>/availability/", views.session_availability, name="availability"),
    path("<int:pk>/action/", views.session_action, name="action"),
    path("<int:pk>/grid/", views.session_grid, name="grid"),
    path("<int:pk>/agenda/", views.session_agenda, name="agenda"),
    path("<int:pk>/export/", views.session_export, name="export"),
    path("meetings/<int:pk>/outcome/", views.meeting_outcome, name="outcome"),
]
