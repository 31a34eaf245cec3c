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
    path("audit-role.yaml", views.cloudformation_template, name="cloudformation"),
]
