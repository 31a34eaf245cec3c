"""Collector for AWS Proton: environment and service templates with their encryption key, and the
repositories Proton links to.

AWS Proton reached end of support on 2026-10-07. Where its API no longer answers (no endpoint, a
server that does not know the service, a "not supported" answer) the collector records one
"unavailable" gap and stops, so the evaluator reports the Proton checks NOT_APPLICABLE with the reason.
AccessDenied and real service errors stay errors.
"""

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from checks.collectors.base import Collected, error_code, pages, redact_url
from checks.inventory import Record

SERVICE = "proton"
SCOPE = "regional"
IAM_ACTIONS = {
    "ListEnvironmentTemplates": "proton:ListEnvironmentTemplates",
    "GetEnvironmentTemplate": "proton:GetEnvironmentTemplate",
    "ListServiceTemplates": "proton:ListServiceTemplates",
    "GetServiceTemplate": "proton:GetServiceTemplate",
    "ListRepositories": "proton:ListRepositories",
}
END_OF_SUPPORT = "AWS Proton reached end of support on 2026-10-07"
# (kind, list operation, get operation, key of the get answer). List summaries carry no encryptionKey
# (botocore's model: EnvironmentTemplateSummary / ServiceTemplateSummary), hence one get per template.
TEMPLATE_KINDS = (
    ("environment", "list_environment_templates", "get_environment_template", "environmentTemplate"),
    ("service", "list_service_templates", "get_service_template", "serviceTemplate"),
)
DENIED = frozenset({"AccessDenied", "AccessDeniedException"})
# Answers that mean "no Proton here". UnrecognizedClientException is what AWS endpoints send for a service
# an account can no longer use, SubscriptionRequiredException for one it is not signed up to (Proton has
# taken no new customers since 2025-10-07); with truly bad credentials every other collector reports the
# real error.
NOT_SERVED_CODES = frozenset(
    {
        "SubscriptionRequiredException",
        "UnknownOperationException",
        "UnknownOperation",
        "InvalidAction",
        "NotImplemented",
        "UnrecognizedClientException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
    }
)
NOT_SERVED_WORDS = ("end of support", "not supported", "no longer supported", "no longer available", "discontinued")


def unavailable_reason(error):
    """Why Proton does not answer here, or None when `error` is a real error (denied, throttled, broken)."""
    if isinstance(error, EndpointConnectionError):
        return f"{END_OF_SUPPORT}; its endpoint cannot be reached ({error})."
    if not isinstance(error, ClientError):
        return None
    code = unavailable_code(error)
    message = " ".join(str(error.response.get("Error", {}).get("Message", "")).split())
    retired = any(word in message.lower() for word in NOT_SERVED_WORDS)
    # A denial is the audit role's policy (a real gap) unless AWS says why: the service is gone.
    if code in DENIED and not retired:
        return None
    if code in NOT_SERVED_CODES or retired:
        return f"{END_OF_SUPPORT}; {error.operation_name} answered {code}: {message[:200]}"
    if code.isdigit():
        # botocore falls back to the HTTP status when the body holds no AWS error: whatever answered
        # (a moto server without Proton answers 500 with an HTML page) does not serve Proton.
        return (
            f"{END_OF_SUPPORT}; {error.operation_name} got HTTP {code} with no AWS error: nothing serves Proton here."
        )
    return None


def unavailable_code(error):
    if isinstance(error, ClientError):
        return error_code(error) or str(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "Unknown"))
    return type(error).__name__


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    # A retired service is asked twice at most: with the default retry budget a Proton that no longer
    # answers (500s, no endpoint) cost every scan several seconds of back-off per region (bench/scan.py).
    proton = ctx.client(SERVICE, region, retries={"mode": "standard", "max_attempts": 2})
    for kind, list_operation, get_operation, answer_key in TEMPLATE_KINDS:
        summaries = listed(proton, list_operation, "templates", collected)
        if summaries is None:
            return collected  # Proton does not answer here: one gap, no further calls
        for summary in summaries:
            record = template_record(proton, kind, get_operation, answer_key, summary, region, collected)
            if record:
                collected.add(record)
    for repository in listed(proton, "list_repositories", "repositories", collected) or []:
        collected.add(repository_record(repository, region))
    return collected


def listed(proton, operation, key, collected):
    """Every item of a list call (those read before an error are kept); None when Proton does not answer."""
    items = []
    with collected.capture():
        try:
            items.extend(pages(proton, operation, key))
        except (ClientError, BotoCoreError) as error:
            reason = unavailable_reason(error)
            if reason is None:
                raise
            collected.error(f"{SERVICE}:*", unavailable_code(error), reason, unavailable=True)
            return None
    return items


def template_record(proton, kind, get_operation, answer_key, summary, region, collected):
    """The template with its encryption key (None if it was deleted since it was listed)."""
    arn = summary["arn"]
    evidence = {
        "template_kind": kind,
        "display_name": summary.get("displayName") or "",
        "description": summary.get("description") or "",
        "encrypted": True,  # always: with the Proton-owned key unless encryptionKey names the customer's
    }
    with collected.capture(resource_uid=arn):
        try:
            detail = getattr(proton, get_operation)(name=summary["name"])[answer_key]
        except ClientError as error:
            if error_code(error) == "ResourceNotFoundException":
                return None
            raise
        evidence["encryption_key"] = detail.get("encryptionKey") or None
    # A template whose details failed stays listed (without "encryption_key") so its check shows ERROR.
    return Record(
        uid=arn,
        type="proton.template",
        region=region,
        name=summary["name"],
        evidence=evidence,
        key_arn=evidence.get("encryption_key"),
    )


def redacted_location(name):
    """A repository name with any password masked.

    Proton expects "owner/repo", but its API accepts any text with a slash, so a pasted URL
    ("https://user:token@host/org/repo" or "user:token@host/org/repo") could carry credentials.
    """
    if "://" in name:
        return redact_url(name)
    return redact_url(f"//{name}")[2:]


def repository_record(repository, region):
    name = redacted_location(repository["name"])
    evidence = {
        "provider": repository.get("provider"),
        "connection_arn": repository.get("connectionArn"),
        # Proton reaches the repository through this location, so it is held to the no-credentials rule.
        "urls": {"repository name": name},
    }
    return Record(uid=repository["arn"], type="proton.repository", region=region, name=name, evidence=evidence)
