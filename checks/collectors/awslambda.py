"""Lambda: functions, the key that encrypts their environment variables, and their function policy.

Environment variables may hold secrets: only how many a function has is kept, never a name or a value.
"""

from checks.catalog.policies import POLICY_EVIDENCE, open_statements
from checks.collectors.base import Collected, pages, unless_absent
from checks.inventory import Record

SERVICE = "lambda"
SCOPE = "regional"
IAM_ACTIONS = {"ListFunctions": "lambda:ListFunctions", "GetPolicy": "lambda:GetPolicy"}
# Lambda always encrypts environment variables at rest; without KMSKeyArn it uses the AWS-managed aws/lambda key.
DEFAULT_KEY = "alias/aws/lambda"
NO_POLICY = "ResourceNotFoundException"


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    client = ctx.client(SERVICE, region)
    functions = []
    # ListFunctions returns each function's configuration (environment, KMS key): no per-function read.
    with collected.capture(api="lambda:ListFunctions"):
        functions = list(pages(client, "list_functions", "Functions"))
    for function in functions:
        policy = None  # None: not read (its check says ERROR); []: nothing in it is open to everyone
        with collected.capture(resource_uid=function["FunctionArn"], api="lambda:GetPolicy"):
            policy = open_statements(function_policy(client, function))
        collected.add(function_record(region, function, policy))
    return collected


def function_policy(client, function):
    """The function policy's text; None when the function has none (GetPolicy answers ResourceNotFound)."""
    found = unless_absent(NO_POLICY, client.get_policy, FunctionName=function["FunctionArn"])
    return found and found.get("Policy")


def environment_evidence(function):
    environment = function.get("Environment") or {}
    error = environment.get("Error") or {}
    return {
        "environment_variable_count": len(environment.get("Variables") or {}),
        # Lambda could not decrypt the variables (a disabled key, a lost grant): they exist but were not returned.
        "environment_error": error.get("ErrorCode"),
    }


def function_record(region, function, policy):
    environment = environment_evidence(function)
    has_environment = bool(environment["environment_variable_count"] or environment["environment_error"])
    key = function.get("KMSKeyArn") or (DEFAULT_KEY if has_environment else None)
    evidence = {**environment, POLICY_EVIDENCE: policy}
    if key:
        evidence["encrypted"] = True
    if function.get("Description"):
        evidence["description"] = function["Description"]
    return Record(
        uid=function["FunctionArn"],
        type="lambda.function",
        region=region,
        name=function["FunctionName"],
        evidence=evidence,
        key_arn=key,
    )
