"""What "public" means, written once: resource policies, shared snapshots and ACL grants.

Every check that asks "can anyone on the internet reach this?" imports its rule from here:
kms.key_policy_not_public and the *_policy_not_public checks (SQS, SNS, Secrets Manager, ECR, Lambda,
OpenSearch access policies, S3 bucket policies), the snapshot checks and the S3 ACL check.

A resource policy is public when an Allow statement names every principal (`"Principal": "*"`,
`{"AWS": "*"}`, Allow with `NotPrincipal`, or a web identity provider such as `{"Federated": "graph.facebook.com"}`,
whose users are anyone who signs in there) and no condition narrows it to fixed accounts,
organisations, VPCs, VPC endpoints, source ARNs or IP ranges. The narrowing keys and the "fixed value"
rule follow Amazon S3's documented meaning of "public" (values without wildcards or policy variables;
aws:SourceIp ranges no broader than /8 for IPv4 and /32 for IPv6, private ranges excepted), extended with
the organisation and principal keys AWS documents for the same purpose.

An Allow to the Amazon S3 service principal (`{"Service": "s3.amazonaws.com"}`, S3 event notifications) is open
to every account's buckets unless a condition names the bucket's account or organisation: bucket ARNs hold no
account id, so aws:SourceArn alone cannot tie it to yours (AWS Config's lambda-function-public-access-prohibited
fails such a grant without aws:SourceAccount).

Collectors keep only the statements open to everyone (`open_statements`), trimmed, under the evidence key
POLICY_EVIDENCE; checks judge their conditions (`public_statements`) and word the verdict (`policy_verdict`).
"""

import ipaddress
import json

from checks.catalog.base import errored, failed, passed

# Where the checks of the access area cite the guidance, and how they name the shared rule.
ACCESS_GUIDANCE = (
    "AWS data-protection guidance: give each identity only the permissions it needs, and use all default "
    "security controls within AWS services."
)
PUBLIC_RULE = (
    "One rule decides what is public, shared by kms.key_policy_not_public, s3.bucket_not_public and every "
    '*_policy_not_public check (Amazon S3\'s documented meaning of "public"): an Allow for every principal ("*", '
    '{"AWS": "*"}, NotPrincipal, a web identity provider) that no condition narrows to fixed accounts, '
    "organisations, networks or sources."
)
POLICY_EVIDENCE = "policy_public_statements"  # None: the policy was not read; []: nothing open to everyone

# Condition keys that tie a request to known accounts, organisations, resources, networks or callers.
NARROWING_CONDITION_KEYS = frozenset(
    {
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:sourcearn",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceip",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:userid",
        "kms:calleraccount",
        "s3:dataaccesspointaccount",
        "s3:dataaccesspointarn",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
    }
)
ARN_KEYS = frozenset({"aws:sourcearn", "aws:principalarn", "s3:dataaccesspointarn"})
# Amazon S3 acting for a bucket: only the bucket owner's account or organisation narrows such a grant.
ANY_BUCKET_SERVICE = "s3.amazonaws.com"
BUCKET_OWNER_KEYS = frozenset({"aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths"})
# Amazon S3: aws:SourceIp ranges broader than these prefixes count as public (private ranges excepted).
WIDEST_PRIVATE_PREFIX = {4: 8, 6: 32}
# Snapshots and AMIs: the restore/create-volume permission group that means "every AWS account".
EVERYONE_GROUP = "all"
# S3 ACL grantees that open a bucket to everyone (AllUsers) or to every AWS account (AuthenticatedUsers).
PUBLIC_ACL_GROUPS = frozenset(
    {
        "http://acs.amazonaws.com/groups/global/AllUsers",
        "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
    }
)


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def statements_of(document):
    """The statements of a policy given as JSON text, a parsed dict or nothing; ValueError when malformed."""
    if document in (None, ""):
        return []
    policy = json.loads(document) if isinstance(document, str | bytes) else document
    if not isinstance(policy, dict):
        raise ValueError(f"A policy document must be a JSON object, not {type(policy).__name__}.")
    statements = as_list(policy.get("Statement"))
    if not all(isinstance(statement, dict) for statement in statements):
        raise ValueError("A policy statement must be a JSON object.")
    return statements


def names_everyone(statement):
    """The statement names every AWS principal, authenticated or not, or anyone a web identity provider signs in."""
    if "NotPrincipal" in statement:
        return True  # Allow + NotPrincipal grants everyone except the named principals
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    return "*" in as_list(principal.get("AWS")) or any(
        is_web_identity(value) for value in as_list(principal.get("Federated"))
    )


def is_web_identity(provider):
    """Amazon S3 counts `{"Federated": "graph.facebook.com"}` as public: anyone can sign in to such a provider.

    A SAML or OIDC provider ARN (arn:aws:iam::ACCOUNT:saml-provider/…) is one account's own identity provider.
    """
    return not str(provider).startswith("arn:")


def names_any_bucket(statement):
    """The statement's principal is Amazon S3, which acts for whichever account's bucket calls."""
    principal = statement.get("Principal")
    return isinstance(principal, dict) and ANY_BUCKET_SERVICE in as_list(principal.get("Service"))


def open_statements(document):
    """The Allow statements open to every principal (or to S3 for any bucket), trimmed to what the verdict needs.

    Each is {"sid", "actions", "condition"}, plus "principal": "s3.amazonaws.com" for a grant to Amazon S3.
    Collectors store this list as evidence: only these statements can make a resource public.
    """
    found = []
    for index, statement in enumerate(statements_of(document)):
        everyone = names_everyone(statement)
        if statement.get("Effect") != "Allow" or not (everyone or names_any_bucket(statement)):
            continue
        actions = as_list(statement.get("Action"))
        if "NotAction" in statement:
            actions = [f"every action except {', '.join(map(str, as_list(statement['NotAction'])))}"]
        sid = str(statement.get("Sid") or f"#{index + 1}")
        entry = {"sid": sid, "actions": actions, "condition": statement.get("Condition") or {}}
        if not everyone:
            entry["principal"] = ANY_BUCKET_SERVICE
        found.append(entry)
    return found


def is_fixed(key, value):
    """A condition value that names one thing: no wildcard or policy variable (an ARN may wildcard past its account)."""
    value = str(value)
    if not value or "${" in value:
        return False
    if not any(mark in value for mark in "*?"):
        return True
    # arn:aws:sns:us-east-1:123456789012:* still names one account; arn:aws:s3:::* (no account field) does not.
    parts = value.split(":", 5)
    return key in ARN_KEYS and len(parts) > 4 and parts[0] == "arn" and parts[4].isdigit()


def is_narrow_range(value):
    try:
        network = ipaddress.ip_network(str(value), strict=False)
    except ValueError:
        return False
    return network.is_private or network.prefixlen >= WIDEST_PRIVATE_PREFIX[network.version]


def is_narrowing(operator, key, values, keys=NARROWING_CONDITION_KEYS):
    operator, key = operator.lower(), key.lower()
    if "not" in operator or operator.endswith("ifexists") or operator.startswith(("null", "forallvalues")):
        return False  # negations, IfExists and empty-set matches let requests without the key through
    if key not in keys:
        return False
    values = as_list(values)
    if not values:
        return False
    if key == "aws:sourceip":
        return operator.endswith("ipaddress") and all(is_narrow_range(value) for value in values)
    return all(is_fixed(key, value) for value in values)


def narrows(condition, keys=NARROWING_CONDITION_KEYS):
    """A statement's Condition block narrows it to known principals, resources or networks (through `keys`)."""
    if not isinstance(condition, dict):
        return False
    return any(
        is_narrowing(operator, key, values, keys)
        for operator, block in condition.items()
        if isinstance(block, dict)
        for key, values in block.items()
    )


def narrowing_keys(statement):
    return BUCKET_OWNER_KEYS if statement.get("principal") == ANY_BUCKET_SERVICE else NARROWING_CONDITION_KEYS


def public_statements(statements):
    """The open statements (from `open_statements`) that no condition narrows: each makes the resource public."""
    return [statement for statement in statements if not narrows(statement.get("condition"), narrowing_keys(statement))]


def policy_verdict(record, subject, key_owner=None):
    """PASS, FAIL or ERROR for a resource policy kept under POLICY_EVIDENCE; `subject` names it ("Queue policy")."""
    statements = record.evidence.get(POLICY_EVIDENCE)
    if statements is None:
        return errored(f"{subject} was not collected.", key_owner)
    public = public_statements(statements)
    if public:
        return failed(f"{subject} {public_phrase(public)}.", key_owner)
    if statements:
        narrowed = len(statements)
        s3 = (
            " or Amazon S3" if any(statement.get("principal") == ANY_BUCKET_SERVICE for statement in statements) else ""
        )
        return passed(f"{narrowed} statement(s) with a wildcard principal{s3} are narrowed by conditions.", key_owner)
    return passed(f"No {subject[0].lower()}{subject[1:]} statement allows every principal.", key_owner)


def public_phrase(public):
    """What the public statements allow, for a reason: "statement(s) Anyone allow any principal s3:GetObject …"."""
    sids = ", ".join(statement.get("sid", "?") for statement in public)
    actions = ", ".join(sorted({str(action) for statement in public for action in statement.get("actions", [])}))
    anyone = any(statement.get("principal") != ANY_BUCKET_SERVICE for statement in public)
    who = "any principal" if anyone else "Amazon S3, for any account's bucket,"
    return f"statement(s) {sids} allow {who} {actions or 'the listed actions'} with no narrowing condition"


def shared_with_everyone(groups):
    """A snapshot's restore or create-volume permission names the group "all": any AWS account can copy it."""
    return EVERYONE_GROUP in {str(group).lower() for group in as_list(groups)}


def public_acl_grants(grants):
    """The ACL grants (S3 shape: {"Grantee": {"Type": "Group", "URI": …}, "Permission": …}) open to everyone."""
    return [
        grant
        for grant in grants or []
        if isinstance(grant, dict) and (grant.get("Grantee") or {}).get("URI") in PUBLIC_ACL_GROUPS
    ]
