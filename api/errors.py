"""Every API error is JSON of one shape: {"detail": "one sentence", "errors": {field: [messages]}} (errors optional)."""

from rest_framework import serializers
from rest_framework.views import exception_handler


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


def flatten(errors):
    """DRF's nested error lists as {field: [message, ...]}."""
    if isinstance(errors, list):
        return {"non_field_errors": [str(e) for e in errors]}
    return {
        str(field): [str(e) for e in (messages if isinstance(messages, list) else [messages])]
        for field, messages in errors.items()
    }


def handle(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django's 500 (never expected; the fuzz test looks for it)
    data = response.data
    if isinstance(data, dict) and set(data) == {"detail"}:
        response.data = {"detail": str(data["detail"])}
    else:
        response.data = {"detail": "The request is not valid; see errors.", "errors": flatten(data)}
    return response
