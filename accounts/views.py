from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import AwsAccount
from dashboard.permissions import ADMIN, role_required


@require_GET
@role_required(ADMIN)
def account_list(request):
    accounts = AwsAccount.objects.select_related("organization")
    return render(request, "accounts/list.html", {"accounts": accounts})
