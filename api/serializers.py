"""The shapes the API answers with (read-only), and the one it accepts (a report job)."""

from rest_framework import serializers

from checks.catalog.base import Area, KeyOwner, Severity, Status
from dashboard.models import ReportJob

STATUSES = [*Status.values]
NULLABLE_SCORE = {"allow_null": True, "min_value": 0.0, "max_value": 100.0}


class ScoresSerializer(serializers.Serializer):
    """Per-area scores (0-100, null when nothing in the area was judged) and their average."""

    overall = serializers.FloatField(**NULLABLE_SCORE)
    areas = serializers.DictField(child=serializers.FloatField(**NULLABLE_SCORE))
    scan_id = serializers.IntegerField(allow_null=True)
    at = serializers.DateTimeField(allow_null=True)


class AccountSerializer(serializers.Serializer):
    account_id = serializers.CharField()
    name = serializers.CharField()
    labels = serializers.DictField(child=serializers.CharField())
    regions = serializers.ListField(child=serializers.CharField())
    enabled = serializers.BooleanField(source="is_enabled")
    connection_status = serializers.CharField()
    last_scan_started_at = serializers.DateTimeField(allow_null=True)
    scores = ScoresSerializer(source="latest_scores")


class AccountPageSerializer(serializers.Serializer):
    results = AccountSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text="The `after` cursor of the next page (null: last page).")


class TrendPointSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    score = serializers.FloatField(**NULLABLE_SCORE)


class AccountDetailSerializer(AccountSerializer):
    trends = serializers.DictField(child=TrendPointSerializer(many=True))


class ResourceSerializer(serializers.Serializer):
    uid = serializers.CharField()
    type = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    region = serializers.CharField(allow_blank=True)


class FindingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    account_id = serializers.CharField(source="account.account_id")
    account_name = serializers.CharField(source="account.name")
    check_id = serializers.CharField()
    area = serializers.ChoiceField(choices=Area.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    status = serializers.ChoiceField(choices=STATUSES)
    muted = serializers.BooleanField()
    resource = ResourceSerializer()
    key_owner = serializers.ChoiceField(choices=["", *KeyOwner.values])
    first_seen = serializers.DateTimeField()
    last_seen = serializers.DateTimeField()
    status_since = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)


class FindingPageSerializer(serializers.Serializer):
    results = FindingSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text="The `after` cursor of the next page (null: last page).")
    previous = serializers.CharField(allow_null=True, help_text="The `before` cursor of the previous page.")


class EventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    old_status = serializers.CharField(allow_blank=True)
    new_status = serializers.CharField(allow_blank=True)
    reason = serializers.CharField(allow_blank=True)
    scan_id = serializers.IntegerField(allow_null=True)


class FindingDetailSerializer(FindingSerializer):
    reason = serializers.CharField(allow_blank=True)
    title = serializers.CharField(allow_blank=True)
    remediation = serializers.CharField(allow_blank=True)
    kms_key_arn = serializers.CharField(source="resource.kms_key_arn", allow_blank=True)
    events = EventSerializer(many=True, source="event_list")


class ChangedFindingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    account_id = serializers.CharField(source="account.account_id")
    check_id = serializers.CharField()
    resource_uid = serializers.CharField(source="resource.uid")
    before = serializers.CharField(allow_blank=True)
    after = serializers.CharField(allow_blank=True)


class ChangesSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    totals = serializers.DictField(child=serializers.IntegerField())
    changes = serializers.DictField(child=ChangedFindingSerializer(many=True))
    limit = serializers.IntegerField(help_text="At most this many findings are listed per kind; totals count all.")


class CheckSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    area = serializers.CharField()
    severity = serializers.CharField()
    resource_type = serializers.JSONField()
    needs = serializers.ListField(child=serializers.CharField())
    rationale = serializers.CharField()
    remediation = serializers.CharField()
    compliance = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class CatalogSerializer(serializers.Serializer):
    results = CheckSerializer(many=True)


class ReportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    format = serializers.CharField()
    status = serializers.CharField()
    stage = serializers.CharField(allow_blank=True)
    scope = serializers.JSONField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    progress_percent = serializers.IntegerField()
    row_count = serializers.IntegerField(allow_null=True)
    file_size = serializers.IntegerField(allow_null=True)
    error_message = serializers.CharField(allow_blank=True)
    download = serializers.CharField(allow_null=True, help_text="Where to fetch the file once it succeeded.")


class ReportJobListSerializer(serializers.Serializer):
    results = ReportJobSerializer(many=True)


class ReportRequestSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=ReportJob.Format.values)
    accounts = serializers.ListField(
        child=serializers.RegexField(r"^\d{12}$"), required=False, default=list, max_length=1000
    )
    areas = serializers.ListField(child=serializers.ChoiceField(choices=Area.choices), required=False, default=list)
    severities = serializers.ListField(
        child=serializers.ChoiceField(choices=Severity.choices), required=False, default=list
    )
    include_muted = serializers.BooleanField(required=False, default=True)
    as_of = serializers.DateField(required=False, allow_null=True, default=None)
    framework = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)


class OcsfQuerySerializer(serializers.Serializer):
    """The query string of the streamed OCSF export: the Reports page's scope, repeated names for several values."""

    account = serializers.ListField(
        child=serializers.RegexField(r"^\d{12}$"), required=False, default=list, max_length=1000, source="accounts"
    )
    area = serializers.ListField(
        child=serializers.ChoiceField(choices=Area.choices), required=False, default=list, source="areas"
    )
    severity = serializers.ListField(
        child=serializers.ChoiceField(choices=Severity.choices), required=False, default=list, source="severities"
    )
    include_muted = serializers.BooleanField(required=False, default=True)
    as_of = serializers.DateField(required=False, allow_null=True, default=None)
