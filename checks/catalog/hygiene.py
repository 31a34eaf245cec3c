"""Data hygiene: no credentials in URLs and no sensitive identifiers in free-form fields.

Both checks read every collected record ("*"). Collectors put URLs under evidence["urls"] (a dict of
field → URL, or a plain list; already passed through redact_url so passwords read "****"), free text under
evidence["description"] / evidence["display_name"], and set evidence["name_is_derived"] when the
record's name was made up by the collector (a listener called "web:443"), not typed by a person.
"""

import re
from datetime import datetime
from urllib.parse import urlsplit

from checks.catalog.base import Area, Severity, check, failed, passed
from checks.inventory import TAGGING_API

GUIDANCE = (
    "AWS data-protection guidance: never put sensitive identifying information, such as account "
    "numbers, into free-form fields such as a Name; anything entered may be picked up for inclusion "
    "in diagnostic logs."
)
# The calls that read tags: when one fails for a resource (or, for the tagging API, for its region), its hygiene
# cannot be judged (ERROR, never a pass on half the fields). Tags come from the tagging API, one call per region
# (collectors/tagging.py); the rest are the few resources it does not cover. A collector that adds a tag call
# adds it here (a test checks).
TAG_APIS = (TAGGING_API, "s3:GetBucketTagging", "iam:ListPolicyTags")
# Other calls that read a free-form field a resource's own listing lacks: IAM role descriptions (collectors/iam.py
# records its failure on each role, never account-wide).
DESCRIPTION_APIS = ("iam:ListRoles",)


# --- credentials in URLs ---------------------------------------------------------------------------


def url_user_info(url):
    """(user, has_password, host) for a URL carrying user info, else None; "user@host/path" counts too."""
    text = url if "://" in url else f"//{url}"
    try:
        netloc = urlsplit(text).netloc
    except ValueError:
        return None
    user_info, at, host = netloc.rpartition("@")
    if not at:
        return None
    user, colon, _password = user_info.partition(":")
    return user, bool(colon), host


def masked_user_info(user, has_password, host):
    shown = f"{user[:1]}***" if user else ""
    return f"{shown}:****@{host}" if has_password else f"{shown}@{host}"


def url_fields(urls):
    """(label, URL) pairs from evidence["urls"]: a dict names each URL's field, a plain list does not."""
    if isinstance(urls, dict):
        return [(f"The URL in '{field}'", url) for field, url in urls.items() if isinstance(url, str)]
    return [("The URL", url) for url in urls or [] if isinstance(url, str)]


@check(
    "hygiene.no_credentials_in_urls",
    title="No URL in configuration carries a user name or password",
    area=Area.IN_TRANSIT,
    severity=Severity.HIGH,
    resource_type="*",
    # The listing that holds URLs. Proton repositories are left out on purpose: Proton's "unavailable" gap
    # ("proton:*") would cover any proton need and put a NOT_APPLICABLE row for this check on every region.
    needs=("sns:ListSubscriptions",),
    rationale="AWS data-protection guidance: when you provide a URL to an external server, don't include "
    "credentials information in the URL to validate your request to that server. Such URLs end up "
    "in configuration listings, logs and diagnostic data readable by far more people than the secret.",
    remediation="Remove the user name and password from the URL and let the target authenticate another way "
    "(a signed request, a token header held in Secrets Manager, or a CodeStar connection). Console: "
    "edit the subscription, webhook or repository and re-enter the URL without 'user:password@'. "
    "CLI (SNS example): aws sns unsubscribe --subscription-arn ARN, then aws sns subscribe "
    "--topic-arn TOPIC --protocol https --notification-endpoint https://host/path",
)
def no_credentials_in_urls(record, inventory):
    fields = url_fields(record.evidence.get("urls"))
    if not fields:
        return None
    for label, url in fields:
        found = url_user_info(url)
        if found:
            what = "a user name and password" if found[1] else "a user name"
            return failed(f"{label} carries {what} ({masked_user_info(*found)}).")
    return passed(f"No credentials in {len(fields)} URL(s).")


# --- sensitive identifiers in free-form fields ---------------------------------------------------

# A UUID's last group can be twelve decimal digits: strip UUIDs before looking for account numbers.
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Exactly twelve digits, not part of a longer run, a word ("i-0abc123456789012") or a phone number
# ("+441234567890", "+1 234567890123"); after a separator they count, numbered or not ("vol-3-210987654321",
# "backup_2_123456789012"). Or 1234-5678-9012, as the console prints them, when not part of a longer dashed or
# spaced number (a card number's groups).
ACCOUNT_NUMBER = re.compile(
    r"(?<![0-9A-Za-z+])(?<!\+\d[ -])(?<!\+\d\d[ -])(?<!\+\d\d\d[ -])\d{12}(?![0-9A-Za-z])"
    r"|(?<![0-9A-Za-z+])(?<!\d[ -])\d{4}-\d{4}-\d{4}(?![0-9A-Za-z])(?![ -]\d)"
)
EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?![A-Za-z0-9-])")
IMAGE_SCALE = re.compile(r"@\d+x\.")  # "logo@2x.png" is a file name, not an address
ACCESS_KEY_ID = re.compile(r"(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])")
# 13–19 digits, single spaces or dashes allowed between them.
CARD_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?<!\d[ -])\d(?:[ -]?\d){12,18}(?![0-9A-Za-z])(?![ -]\d)")
# Issuer prefixes (Visa 4; Mastercard 51–55 and 2221–2720; Amex 34/37; Diners 300–305/36/38/39; JCB 35;
# Discover 6011/644–649/65; UnionPay 62): keeps timestamps ("2024…", epoch milliseconds "17…") out.
CARD_PREFIX = re.compile(r"4|5[1-5]|2(?:22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)|3[4-9]|30[0-5]|6(?:011|4[4-9]|5|2)")


def is_timestamp(digits):
    """Twelve digits that read as YYYYMMDDhhmm (202406301200) are a stamp, not an account number.

    Only about 1 in 15,000 account numbers happens to read as such a stamp; shorter-year layouts
    (YYMMDDhhmmss) would hide 1 in 300, so they are not excluded.
    """
    try:
        stamp = datetime.strptime(digits, "%Y%m%d%H%M")  # naive on purpose: only asks "is this a date?"
    except ValueError:
        return False
    return 1990 <= stamp.year <= 2099


def luhn_valid(digits):
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def keep_last_four(value):
    digits = re.sub(r"\D", "", value)
    return "*" * (len(digits) - 4) + digits[-4:]


def account_numbers(text):
    for match in ACCOUNT_NUMBER.finditer(UUID.sub(" ", text)):
        value = match.group(0)
        if "-" in value or not is_timestamp(value):
            yield "an AWS account number", keep_last_four(value)


def email_addresses(text):
    for match in EMAIL.finditer(text):
        value = match.group(0)
        if not IMAGE_SCALE.search(value):
            local, domain = value.split("@", 1)
            yield "an e-mail address", f"{local[:1]}***@{domain}"


def access_key_ids(text):
    for match in ACCESS_KEY_ID.finditer(text):
        value = match.group(0)
        yield "an AWS access key id", f"{value[:4]}************{value[-4:]}"


def card_numbers(text):
    for match in CARD_NUMBER.finditer(UUID.sub(" ", text)):
        digits = re.sub(r"\D", "", match.group(0))
        if CARD_PREFIX.match(digits) and len(set(digits)) > 1 and luhn_valid(digits):
            yield "a card number", keep_last_four(digits)


DETECTORS = (account_numbers, email_addresses, access_key_ids, card_numbers)


def sensitive_values(text):
    """(kind, masked value) for every sensitive identifier in `text`."""
    return [found for detector in DETECTORS for found in detector(text)]


def masked(text):
    """`text` safe to quote in a reason: any sensitive value in it replaced by a placeholder."""
    return "…" if sensitive_values(text) else text


def free_form_fields(record):
    """(label, text) for every field a person typed: name, description, display name, tag keys and values."""
    evidence = record.evidence
    if record.name and not evidence.get("name_is_derived"):
        yield "Name", record.name
    for key, label in (("display_name", "Display name"), ("description", "Description")):
        if isinstance(evidence.get(key), str) and evidence[key]:
            yield label, evidence[key]
    for key, value in record.tags.items():
        if str(key).lower().startswith("aws:"):
            continue  # AWS writes these (CloudFormation stack ARNs, …); nobody typed them
        yield "A tag key", str(key)
        yield f"Tag '{masked(str(key))}'", str(value)


@check(
    "hygiene.no_sensitive_identifiers",
    title="Names, descriptions and tags hold no sensitive identifiers",
    area=Area.HYGIENE,
    severity=Severity.MEDIUM,
    resource_type="*",
    needs=TAG_APIS + DESCRIPTION_APIS,
    rationale=f"{GUIDANCE} Names, descriptions and tags are shown in consoles, bills, logs and support "
    "cases; AWS account numbers, e-mail addresses, access key ids and card numbers do not belong there.",
    remediation="Rename the resource or edit its description, and replace the tag with a neutral identifier "
    "(a team or cost-centre code). Console: the resource › Tags › Manage tags. CLI: "
    "aws resourcegroupstaggingapi untag-resources --resource-arn-list ARN --tag-keys KEY, then "
    "aws resourcegroupstaggingapi tag-resources --resource-arn-list ARN --tags KEY=VALUE",
)
def no_sensitive_identifiers(record, inventory):
    fields = list(free_form_fields(record))
    if not fields:
        return None
    findings = [(label, kind, value) for label, text in fields for kind, value in sensitive_values(text)]
    if not findings:
        return passed(
            f"No account numbers, e-mail addresses, access key ids or card numbers in {len(fields)} free-form field(s)."
        )
    label, kind, value = findings[0]
    more = f", and {len(findings) - 1} more sensitive value(s) were found" if len(findings) > 1 else ""
    return failed(f"{label} holds {kind} ({value}){more}.")
