"""Report jobs through the API: create (any format, for the token's accounts), poll, download. Auditor role,
as the Reports page. A job is seen through the API only when every account it covers is the token's."""

from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from api.endpoints import accounts_of, endpoint, query
from api.serializers import (
    OcsfQuerySerializer,
    ReportJobListSerializer,
    ReportJobSerializer,
    ReportRequestSerializer,
)
from dashboard import reports
from dashboard.exports.scope import Scope, ScopeError, parse_as_of
from dashboard.models import ReportJob
from dashboard.permissions import AUDITOR

RECENT = 50


def described(request, job):
    job.download = None
    if job.status == ReportJob.State.SUCCEEDED:
        job.download = request.build_absolute_uri(reverse("api:report_download", args=[job.pk]))
    return job


def covered(job, account_ids):
    """Whether the job covers only these accounts (a job over "every account" is covered by none): the
    rule the Reports page holds a job to (Scope.is_within), with the token's accounts."""
    return Scope.from_json(job.scope or {}).is_within(account_ids)


def jobs_of(request):
    ids = {account.account_id for account in accounts_of(request)}
    jobs = ReportJob.objects.filter(requested_by=request.user).order_by("-created_at", "-id")[:RECENT]
    return [described(request, job) for job in jobs if covered(job, ids)]


def job_or_404(request, pk):
    for job in jobs_of(request):
        if job.pk == pk:
            return job
    raise NotFound("No such report job.")


def requested_scope(request):
    unknown = (
        sorted(set(request.data) - set(ReportRequestSerializer().fields)) if isinstance(request.data, dict) else []
    )
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in unknown})
    body = ReportRequestSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    return body.validated_data["format"], scope_of(request, body.validated_data)


def scope_of(request, data):
    """The report Scope of validated request data, over the token's accounts (all of them when none is named)."""
    visible = [account.account_id for account in accounts_of(request)]
    foreign = sorted(set(data["accounts"]) - set(visible))
    if foreign:
        raise NotFound(f"No such account: {', '.join(foreign)}.")
    accounts = data["accounts"] or visible
    if not accounts:
        raise ValidationError({"accounts": ["This token sees no accounts."]})
    try:
        return Scope(
            accounts=tuple(dict.fromkeys(accounts)),
            areas=tuple(dict.fromkeys(data["areas"])),
            severities=tuple(dict.fromkeys(data["severities"])),
            include_muted=data["include_muted"],
            as_of=parse_as_of(data["as_of"]) if data["as_of"] else None,
            framework=data.get("framework", ""),
        )
    except ScopeError as error:
        raise ValidationError({"scope": [str(error)]}) from None


@endpoint(
    ["GET", "POST"],
    role=AUDITOR,
    GET={"responses": {200: ReportJobListSerializer}, "summary": "Your recent report jobs"},
    POST={
        "request": ReportRequestSerializer,
        "responses": {202: ReportJobSerializer},
        "summary": "Ask for a report (built by a worker); poll it, then download it",
    },
)
def report_jobs(request):
    query(request, ())
    if request.method == "GET":
        return Response(ReportJobListSerializer({"results": jobs_of(request)}).data)
    fmt, scope = requested_scope(request)
    job = reports.request_job(request.user, fmt, scope)
    reports.record_export(
        request._request, fmt, scope, target=f"report job {job.pk}", job=job.pk, delivery="background", via="api"
    )
    return Response(ReportJobSerializer(described(request, job)).data, status=202)


@endpoint(["GET"], role=AUDITOR, GET={"responses": {200: ReportJobSerializer}, "summary": "One report job"})
def report_job(request, pk):
    query(request, ())
    return Response(ReportJobSerializer(job_or_404(request, pk)).data)


@endpoint(
    ["GET"],
    role=AUDITOR,
    GET={"responses": {(200, "application/octet-stream"): bytes}, "summary": "The report's file, once it succeeded"},
)
def report_download(request, pk):
    query(request, ())
    job = job_or_404(request, pk)
    path = reports.job_path(job)
    if job.status != ReportJob.State.SUCCEEDED or path is None or not path.is_file():
        raise NotFound("This report has no file (it failed, is not built yet, or was removed).")
    reports.record_export(
        request._request,
        job.format,
        Scope.from_json(job.scope),
        target=f"report job {job.pk}",
        job=job.pk,
        delivery="downloaded",
        via="api",
    )
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=job.file_name, content_type=reports.CONTENT_TYPES[job.format]
    )


@endpoint(
    ["GET"],
    role=AUDITOR,
    GET={
        "parameters": [OcsfQuerySerializer],
        "responses": {(200, reports.CONTENT_TYPES[ReportJob.Format.OCSF]): str},
        "summary": "Findings as OCSF Detection Findings, one JSON object per line, streamed",
        "description": f"Up to {reports.STREAM_LIMIT:,} findings; larger scopes are a 400 asking for a report job "
        '(POST /api/v1/reports/ with "format": "ocsf").',
    },
)
def ocsf_export(request):
    params = query(request, OcsfQuerySerializer().fields)
    given = OcsfQuerySerializer(data=params)
    given.is_valid(raise_exception=True)
    scope = scope_of(request, given.validated_data)
    fmt = ReportJob.Format.OCSF
    if not reports.is_small(scope):
        raise ValidationError(
            {"scope": [f"More than {reports.STREAM_LIMIT:,} findings: POST /api/v1/reports/ with format ocsf."]}
        )
    name = reports.file_name(fmt, scope)
    reports.record_export(request._request, fmt, scope, target=name, delivery="streamed", via="api")
    response = StreamingHttpResponse(reports.stream(fmt, scope), content_type=reports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
