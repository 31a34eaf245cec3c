"""Accounts with their latest scores, a keyset page at a time, and one account with its score trends."""

import base64
import binascii
import json
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api import tokens
from api.endpoints import account_or_404, endpoint, page_size, query
from api.serializers import AccountDetailSerializer, AccountPageSerializer
from dashboard import scoreboard
from dashboard.exports.scope import earliest_date

TREND_DAYS = 30
PAGE_SIZE = 100
MAX_SIZE = 200


def scores_of(rows):
    """{area: score row} (scoreboard.latest_scores) → the API's scores object."""
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


def encode(account):
    text = json.dumps([account.name, account.account_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(token):
    """The (name, account id) an `after` cursor stands for; anything else is a 400 naming it."""
    try:
        name, account_id = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if isinstance(name, str) and isinstance(account_id, str):
            return name, account_id
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        pass
    raise ValidationError({"after": ["Not a cursor of this list (use `next` as given)."]})


def page_of(accounts, after, size):
    """Up to `size` accounts by name (then id) after the cursor, and the next page's cursor (None: the last)."""
    if after:
        name, account_id = decode(after)
        accounts = accounts.filter(Q(name__gt=name) | Q(name=name, account_id__gt=account_id))
    rows = list(accounts.order_by("name", "account_id")[: size + 1])
    return rows[:size], encode(rows[size - 1]) if len(rows) > size else None


@endpoint(
    ["GET"],
    GET={
        "responses": {200: AccountPageSerializer},
        "summary": "Accounts you may see by name, with their latest scores, a keyset page at a time",
        "parameters": [
            OpenApiParameter("after", str, description="The `next` cursor of the previous answer."),
            OpenApiParameter("size", int, description=f"Accounts per page, 1 to {MAX_SIZE} (default {PAGE_SIZE})."),
        ],
    },
)
def account_list(request):
    params = query(request, ("after", "size"))
    size = page_size(params, PAGE_SIZE, MAX_SIZE)
    accounts, next_cursor = page_of(tokens.token_accounts(request.auth), params.get("after"), size)
    return Response(AccountPageSerializer({"results": with_scores(accounts), "next": next_cursor}).data)


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
