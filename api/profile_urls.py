from django.urls import path

from api.views import tokens

app_name = "profile"

urlpatterns = [
    path("tokens/", tokens.tokens_page, name="tokens"),
    path("tokens/new/", tokens.token_create, name="token_create"),
    path("tokens/<int:pk>/revoke/", tokens.token_revoke, name="token_revoke"),
]
