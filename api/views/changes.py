"""What changed between two dates: the Changes page's form and query, over the token's accounts."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.endpoints import accounts_of, endpoint, query
from api.serializers import ChangesSerializer
from dashboard import changes as net
from dashboard.views.changes import ChangesForm

PARAMETERS = [
    OpenApiParameter(
        "start", OpenApiTypes.DATE, description="From the end of this day (UTC); default 7 days before end."
    ),
    OpenApiParameter("end", OpenApiTypes.DATE, description="To the end of this day (UTC); default now."),
    OpenApiParameter("account", str, description="Only this 12-digit account id."),
]


@endpoint(
    ["GET"],
    GET={
        "responses": {200: ChangesSerializer},
        "summary": "Changes between two dates (each status change on its day)",
        "parameters": PARAMETERS,
    },
)
def change_list(request):
    params = query(request, ("start", "end", "account"))
    accounts = accounts_of(request)
    form = ChangesForm(params, request.user)
    form.fields["account"].queryset = form.fields["account"].queryset.filter(pk__in=[a.pk for a in accounts])
    if not form.is_valid():
        raise ValidationError(form.errors)
    first, last = form.window()
    account = form.cleaned_data.get("account")
    grouped, totals = net.net_changes(first, last, [account] if account else accounts)
    start, end = net.moments(first, last)
    changes = {
        kind: [finding for group in by_account.values() for finding in group] for kind, by_account in grouped.items()
    }
    return Response(
        ChangesSerializer({"start": start, "end": end, "totals": totals, "changes": changes, "limit": net.LIMIT}).data
    )
