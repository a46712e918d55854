from django.urls import path

from innobridge.cultivation import views

app_name = "cultivation"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("tier/<str:tier>/", views.tier_list, name="tier"),
    path("program/<slug:key>/", views.program_list, name="program"),
    path("roster/<slug:key>/", views.roster_list, name="roster"),
    path("watchlist/", views.watchlist, name="watchlist"),
    path("rules/", views.rules_page, name="rules"),
    path("recompute/", views.recompute, name="recompute"),
    path("enterprise/<int:pk>/", views.enterprise, name="enterprise"),
    path("enterprise/<int:pk>/year/<int:year>/", views.year_edit, name="year_edit"),
    path("enterprise/<int:pk>/profile/", views.profile_edit, name="profile_edit"),
]
