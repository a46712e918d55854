from django.urls import path

from innobridge.review import views

app_name = "review"
urlpatterns = [
    path("", views.my_reviews, name="mine"),
    path("tasks/<int:pk>/", views.review_task, name="task"),
    path("tasks/<int:pk>/conflict/", views.declare_conflict, name="conflict"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/ranking/", views.ranking, name="ranking"),
    path("assignments/<int:pk>/", views.assignment_action, name="assignment"),
    path("items/<int:pk>/", views.item_action, name="item"),
    path("challenges/<int:demand_pk>/", views.challenge_review, name="challenge"),
    path("experts/", views.expert_pool, name="experts"),
]
