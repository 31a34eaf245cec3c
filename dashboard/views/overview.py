from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import AwsAccount
from dashboard.permissions import VIEWER, role_required


@require_GET
@role_required(VIEWER)
def overview(request):
    accounts = AwsAccount.objects.order_by("name")
    return render(request, "dashboard/overview.html", {"accounts": accounts})
