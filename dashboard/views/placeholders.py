"""Pages whose full versions arrive with the dashboard issue; each still requires sign-in and a role."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from dashboard.permissions import AUDITOR, role_required


def _placeholder(title, role):
    @require_GET
    @role_required(role)
    def view(request):
        return render(request, "dashboard/placeholder.html", {"title": title})

    view.__name__ = title.lower()
    return view


reports = _placeholder("Reports", AUDITOR)
