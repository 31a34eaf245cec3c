"""The Reports page: build any export for a scope; small CSV/JSON stream at once, the rest become jobs
with live progress and a download link. Everything here needs the auditor role."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from accounts.visibility import visible_accounts
from checks.catalog.base import Area, Severity
from checks.compliance import FRAMEWORKS
from dashboard import reports
from dashboard.exports import signing
from dashboard.exports.scope import Scope, ScopeError, account_numbers_seen_by, earliest_date, parse_as_of
from dashboard.htmx import vary_on_htmx
from dashboard.models import ReportJob
from dashboard.permissions import ADMIN, AUDITOR, has_role, role_required

PAGE = "dashboard/reports.html"
RECENT_JOBS = 20
MUTED_CHOICES = [("include", "Include muted findings"), ("exclude", "Leave muted findings out")]


class ReportForm(forms.Form):
    format = forms.ChoiceField(choices=ReportJob.Format.choices, initial=ReportJob.Format.PDF, widget=forms.RadioSelect)
    accounts = forms.MultipleChoiceField(
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="None chosen: every account. Ctrl/⌘-click to choose several.",
    )
    areas = forms.MultipleChoiceField(
        choices=Area.choices, required=False, widget=forms.CheckboxSelectMultiple, help_text="None ticked: every area."
    )
    severities = forms.MultipleChoiceField(
        choices=Severity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every severity.",
    )
    muted = forms.ChoiceField(
        choices=MUTED_CHOICES, initial="include", widget=forms.RadioSelect, label="Muted findings"
    )
    as_of = forms.DateField(
        required=False,
        label="As of",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The posture at the end of that day (UTC), rebuilt from the history. Empty: now.",
    )

    framework = forms.ChoiceField(
        required=False,
        label="Compliance framework",
        choices=[("", "None chosen (XLSX and evidence pack: every framework)")]
        + [(slug, each.name) for slug, each in FRAMEWORKS.items()],
        help_text="The PDF gains a compliance section for it; the XLSX Compliance sheet and the pack's "
        "compliance.json show only it.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["accounts"].choices = [
            (a.account_id, f"{a.name} ({a.account_id})")
            for a in visible_accounts(user).order_by("name", "account_id").only("name", "account_id")
        ]
        self.fields["as_of"].widget.attrs["min"] = earliest_date().isoformat()

    def clean_as_of(self):
        day = self.cleaned_data["as_of"]
        if day is None:
            return None
        try:
            return parse_as_of(day)
        except ScopeError as error:
            raise forms.ValidationError(str(error)) from None

    def scope(self):
        data = self.cleaned_data
        return Scope.for_user(
            self.user,
            accounts=tuple(data["accounts"]),
            areas=tuple(data["areas"]),
            severities=tuple(data["severities"]),
            include_muted=data["muted"] == "include",
            as_of=data["as_of"],
            framework=data.get("framework", ""),
        )


def visible_jobs(user):
    """A user's own report jobs; admins see everyone's. (job_rows and job_or_404 also hold each job's scope
    to the accounts the user sees now: a person who left a team no longer reaches its reports.)"""
    jobs = ReportJob.objects.select_related("requested_by")
    return jobs if has_role(user, ADMIN) else jobs.filter(requested_by=user)


def job_rows(user):
    jobs, seen = [], account_numbers_seen_by(user)
    for job in visible_jobs(user)[:RECENT_JOBS]:
        scope = Scope.from_json(job.scope)
        if scope.is_within(seen):
            job.scope_summary = scope.summary()
            jobs.append(job)
    return jobs


def signing_context():
    """What the page says about signatures: the Ed25519 public key, HMAC, or a warning that packs are unsigned."""
    try:
        signer = signing.configured_signer()
    except (OSError, ValueError, ImproperlyConfigured) as error:
        return {"signing_problem": str(error)}
    if signer is None:
        return {"signing": None}
    if signer.algorithm == signing.ED25519:
        public_key = signer.key.public_key()
        return {
            "signing": signer.algorithm,
            "public_key": signing.public_key_pem(public_key),
            "fingerprint": signing.fingerprint(public_key),
        }
    return {"signing": signer.algorithm}


def polling(jobs):
    """Whether the jobs list should keep refreshing: something is waiting for, or on, a worker."""
    return any(not job.is_finished and not job.queue_unavailable and not job.is_stalled for job in jobs)


def page_context(request, form=None):
    jobs = job_rows(request.user)
    return {
        "form": form or ReportForm(user=request.user),
        "jobs": jobs,
        "polling": polling(jobs),
        **signing_context(),
        "stream_limit": f"{reports.STREAM_LIMIT:,}",
    }


@require_GET
@role_required(AUDITOR)
def reports_page(request):
    return render(request, PAGE, page_context(request))


@require_POST
@role_required(AUDITOR)
def report_build(request):
    form = ReportForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, PAGE, page_context(request, form))  # 200: htmx swaps it, browsers show it
    fmt, scope = form.cleaned_data["format"], form.scope()
    if reports.should_stream(fmt, scope):
        return stream_response(request, fmt, scope)
    job = reports.request_job(request.user, fmt, scope)
    reports.record_export(request, fmt, scope, target=f"report job {job.pk}", job=job.pk, delivery="background")
    if job.queue_unavailable:
        messages.warning(
            request,
            "The queue is unavailable, so the report has not started. It is kept below: "
            "build it here now, or queue it again later.",
        )
    else:
        messages.success(request, f"Report {job.pk} is being built; it appears below with a download link when ready.")
    return redirect(reverse("dashboard:reports") + f"#job-{job.pk}")


def stream_response(request, fmt, scope):
    name = reports.file_name(fmt, scope)
    reports.record_export(request, fmt, scope, target=name, delivery="streamed")
    response = StreamingHttpResponse(reports.stream(fmt, scope), content_type=reports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def jobs_fragment(request, notice="", polled=False):
    jobs = job_rows(request.user)
    busy = polling(jobs)
    response = render(request, f"{PAGE}#report-jobs", {"jobs": jobs, "polling": busy, "notice": notice})
    if polled and not busy:
        response.status_code = 286  # htmx stops polling: every job is done (or waits for a person)
    return response


@require_GET
@role_required(AUDITOR)
def report_jobs(request):
    """The jobs list, polled while a job is queued or building."""
    if not request.htmx:
        return redirect("dashboard:reports")
    return vary_on_htmx(jobs_fragment(request, polled=True))


def job_or_404(request, pk):
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    if not Scope.from_json(job.scope).is_visible_to(request.user):
        raise Http404("No such report.")
    return job


@require_GET
@role_required(AUDITOR)
def report_download(request, pk):
    job = job_or_404(request, pk)
    path = reports.job_path(job)
    if job.status != ReportJob.State.SUCCEEDED or path is None or not path.is_file():
        raise Http404("This report has no file (it failed, is not built yet, or was removed).")
    reports.record_export(
        request,
        job.format,
        Scope.from_json(job.scope),
        target=f"report job {job.pk}",
        job=job.pk,
        delivery="downloaded",
    )
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=job.file_name, content_type=reports.CONTENT_TYPES[job.format]
    )


@require_POST
@role_required(AUDITOR)
def report_build_here(request, pk):
    """Build a queued job in this request (the queue is down, or no worker is coming), if it is small."""
    job = job_or_404(request, pk)
    if not reports.is_small(Scope.from_json(job.scope)):
        return after_action(
            request,
            f"Report {job.pk} covers more than {reports.STREAM_LIMIT:,} findings, too many to build in a web "
            "request: it waits for a worker. Queue it again once the queue is back.",
        )
    try:
        reports.run_job(job)
        notice = f"Report {job.pk} was built here." if job.status == ReportJob.State.SUCCEEDED else ""
    except Exception:  # noqa: BLE001 - run_job recorded the failure on the job, which the list shows
        notice = f"Report {job.pk} failed; the reason is shown below."
    return after_action(request, notice)


@require_POST
@role_required(AUDITOR)
def report_requeue(request, pk):
    job = job_or_404(request, pk)
    if job.status != ReportJob.State.QUEUED:
        return after_action(request, f"Report {job.pk} is already {job.get_status_display().lower()}.")
    if reports.enqueue(job):
        return after_action(request, f"Report {job.pk} is queued again.")
    return after_action(request, "The queue is still unavailable; the report is kept.")


def after_action(request, notice):
    if request.htmx:
        return trigger_client_event(vary_on_htmx(jobs_fragment(request, notice)), "reports-changed")
    if notice:
        messages.info(request, notice)
    return redirect("dashboard:reports")
