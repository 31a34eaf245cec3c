from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account_list, name="list"),
    path("add/", views.account_add, name="add"),
    path("<int:pk>/edit/", views.account_edit, name="edit"),
    path("<int:pk>/toggle/", views.account_toggle, name="toggle"),
    path("<int:pk>/test/", views.account_test, name="test"),
    path("discover/", views.discover, name="discover"),
    path("teams/", views.team_list, name="teams"),
    path("teams/add/", views.team_add, name="team_add"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team_edit"),
    path("teams/<int:pk>/delete/", views.team_delete, name="team_delete"),
    path("audit-role.yaml", views.cloudformation_template, name="cloudformation"),
]
