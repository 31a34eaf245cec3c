"""How an API view is declared: its methods, the role it needs (as the page's), its OpenAPI description."""

from django.contrib.auth.decorators import login_not_required
from django.urls import Resolver404, resolve
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotFound, ValidationError

from api import tokens
from api.access import role_permission
from api.errors import ErrorSerializer
from dashboard.permissions import VIEWER

ERRORS = {
    400: ErrorSerializer,
    401: ErrorSerializer,
    403: ErrorSerializer,
    404: ErrorSerializer,
    429: ErrorSerializer,
}


def endpoint(methods, role=VIEWER, **schemas):
    """A DRF function view for `methods` needing `role`; schemas: method → extend_schema arguments
    (none: the view is left out of the OpenAPI document)."""

    def decorate(func):
        view = api_view(methods)(permission_classes([role_permission(role)])(func))
        if not schemas:
            view = extend_schema(exclude=True)(view)
        for method, schema in schemas.items():
            responses = {**ERRORS, **schema.pop("responses")}
            operation = func.__name__ if len(methods) == 1 else f"{func.__name__}_{method.lower()}"
            view = extend_schema(methods=[method], operation_id=operation, responses=responses, **schema)(view)
        view.required_role = role  # as role_required marks pages, for the sweep test
        return login_not_required(view)  # the token is the sign-in: no session, no redirect to /login/

    return decorate


def query(request, allowed):
    """The query string, refusing names the endpoint does not know (a typo must not widen an answer)."""
    unknown = sorted(set(request.query_params) - set(allowed))
    if unknown:
        raise ValidationError({name: ["Unknown query parameter."] for name in unknown})
    return request.query_params


def page_size(params, default, most):
    """The `size` query parameter: a whole number from 1 to `most` (`default` when absent), else a 400 naming it."""
    text = params.get("size", str(default))
    if not text.isdigit() or not 1 <= int(text) <= most:
        raise ValidationError({"size": [f"A whole number from 1 to {most}."]})
    return int(text)


def accounts_of(request):
    """The accounts this request's token may see (accounts.visibility, narrowed by the token), by name."""
    if not hasattr(request, "_posture_accounts"):
        request._posture_accounts = list(tokens.token_accounts(request.auth).order_by("name", "account_id"))
    return request._posture_accounts


def account_or_404(request, account_id):
    """One visible account by its 12-digit id; an account outside the token's scope does not exist here."""
    account = tokens.token_accounts(request.auth).filter(account_id=account_id).first()
    if account is None:
        raise NotFound("No such account.")
    return account


@endpoint(["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(request, *args, **kwargs):
    """Any /api/ path that names no endpoint: a JSON 404 (after the token is checked, like every endpoint)."""
    path = request.path_info
    if not path.endswith("/"):
        try:
            if resolve(path + "/").func is not not_found:
                raise NotFound(f"No such API endpoint; did you mean {path}/ (with the trailing slash)?")
        except Resolver404:
            pass
    raise NotFound("No such API endpoint.")


def openapi():
    """The OpenAPI document's view: drf-spectacular's, behind the same token and role as the endpoints."""
    view = login_not_required(SpectacularJSONAPIView.as_view())
    view.required_role = VIEWER
    return view
