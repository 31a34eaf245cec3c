"""Accounts with their latest scores, and one account with its score trends."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.endpoints import account_or_404, accounts_of, endpoint, query
from api.serializers import AccountDetailSerializer, AccountListSerializer
from dashboard import scoreboard
from dashboard.exports.scope import earliest_date

TREND_DAYS = 30


def scores_of(rows):
    """{area: AreaScore} → the API's scores object."""
    any_row = next(iter(rows.values()), None)
    areas = {str(area): rows[area].score if area in rows else None for area in scoreboard.AREAS}
    return {
        "overall": scoreboard.overall(areas.values()),
        "areas": areas,
        "scan_id": any_row.scan_id if any_row else None,
        "at": any_row.at if any_row else None,
    }


def with_scores(accounts):
    scores = scoreboard.latest_scores([account.pk for account in accounts])
    for account in accounts:
        account.latest_scores = scores_of(scores.get(account.pk, {}))
    return accounts


@endpoint(
    ["GET"],
    GET={"responses": {200: AccountListSerializer}, "summary": "Accounts you may see, with their latest scores"},
)
def account_list(request):
    query(request, ())
    return Response(AccountListSerializer({"results": with_scores(accounts_of(request))}).data)


def trend_days(request):
    text = query(request, ("days",)).get("days", str(TREND_DAYS))
    longest = (timezone.now().date() - earliest_date()).days
    if not text.isdigit() or not 1 <= int(text) <= longest:
        raise ValidationError({"days": [f"A whole number of days from 1 to {longest}."]})
    return int(text)


@endpoint(
    ["GET"],
    GET={
        "responses": {200: AccountDetailSerializer},
        "summary": "One account: latest scores and each area's score trend",
        "parameters": [OpenApiParameter("days", int, description=f"Trend length in days (default {TREND_DAYS}).")],
    },
)
def account_detail(request, account_id):
    days = trend_days(request)
    account = with_scores([account_or_404(request, account_id)])[0]
    series = scoreboard.score_series([account.pk], timezone.now() - timedelta(days=days)).get(account.pk, {})
    account.trends = {
        str(area): [{"at": at, "score": score} for at, score in series.get(area, [])] for area in scoreboard.AREAS
    }
    return Response(AccountDetailSerializer(account).data)
