"""The onboarding template: the committed audit role is the generated one, parses as CloudFormation, trusts
only with an ExternalId, and its policy holds exactly the read actions the collectors need."""

import types
from pathlib import Path

import pytest
import yaml

from checks import audit_role
from checks.collectors import COLLECTORS
from checks.collectors.base import ScanContext
from checks.scanning import collect_all
from checks.tests import truth_estate

TEMPLATE = Path(__file__).resolve().parents[2] / "accounts" / "cloudformation" / "audit-role.yaml"


class CloudFormationLoader(yaml.SafeLoader):
    """A safe loader that reads CloudFormation's short-form tags (!Ref, !If, ...) as {"Fn::X": value}."""


def intrinsic(loader, suffix, node):
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


CloudFormationLoader.add_multi_constructor("!", intrinsic)


def template():
    return yaml.load(TEMPLATE.read_text(encoding="utf-8"), Loader=CloudFormationLoader)  # noqa: S506 - a SafeLoader


def role_policies():
    return template()["Resources"]["AuditRole"]["Properties"]["Policies"]


def read_actions():
    """The actions of the always-present read policy (the discovery policy is conditional)."""
    [read_policy] = [policy for policy in role_policies() if policy.get("PolicyName") == "posture-read-configuration"]
    return {action for statement in read_policy["PolicyDocument"]["Statement"] for action in statement["Action"]}


def test_committed_template_is_the_generated_one():
    assert TEMPLATE.read_text(encoding="utf-8") == audit_role.render(), (
        "Regenerate it: manage.py audit_role_template > accounts/cloudformation/audit-role.yaml"
    )


def test_template_parses_with_cloudformation_tags():
    parsed = template()
    assert parsed["AWSTemplateFormatVersion"] == "2010-09-09"
    assert parsed["Resources"]["AuditRole"]["Type"] == "AWS::IAM::Role"
    assert parsed["Conditions"]["Discovery"] == {"Fn::Equals": [{"Ref": "AllowOrganizationDiscovery"}, "true"]}
    assert parsed["Outputs"]["RoleArn"]["Value"] == {"Fn::GetAtt": ["AuditRole", "Arn"]}


def test_trust_policy_requires_the_external_id():
    trust = template()["Resources"]["AuditRole"]["Properties"]["AssumeRolePolicyDocument"]
    [statement] = trust["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Principal"] == {"AWS": {"Ref": "PosturePrincipalArn"}}
    assert statement["Condition"] == {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}}


def test_read_policy_is_read_only_and_exactly_the_collectors_actions():
    actions = read_actions()
    declared = {action for module in COLLECTORS for action in module.IAM_ACTIONS.values()}
    assert actions == declared
    verbs = ("List", "Get", "Describe")
    assert all(action.split(":", 1)[1].startswith(verbs) for action in actions), sorted(actions)
    assert not [action for action in actions if "*" in action]


def test_discovery_policy_is_conditional_and_only_lists_the_organization():
    [conditional] = [policy for policy in role_policies() if "Fn::If" in policy]
    condition, policy, otherwise = conditional["Fn::If"]
    assert condition == "Discovery"
    assert otherwise == {"Ref": "AWS::NoValue"}
    actions = {action for statement in policy["PolicyDocument"]["Statement"] for action in statement["Action"]}
    assert actions == set(audit_role.DISCOVERY_ACTIONS)


def test_every_collector_declares_its_iam_actions():
    for module in COLLECTORS:
        assert module.IAM_ACTIONS, module.__name__
        assert all(":" in action for action in module.IAM_ACTIONS.values()), module.__name__


def test_a_collector_without_iam_actions_fails_loudly(monkeypatch):
    silent = types.ModuleType("checks.collectors.silent")
    monkeypatch.setattr(audit_role, "COLLECTORS", [*COLLECTORS, silent])
    with pytest.raises(AttributeError, match="IAM_ACTIONS"):
        audit_role.render()


# ---- the template against what the collectors really call ---------------------------------------------------

# Declared operations the truth estate does not reach on moto, and why (anything else uncalled is stale).
NOT_CALLED_ON_MOTO = {
    # moto has no Proton: the first list call finds it unavailable and the collector stops there.
    ("proton", "GetEnvironmentTemplate"),
    ("proton", "ListServiceTemplates"),
    ("proton", "GetServiceTemplate"),
    ("proton", "ListRepositories"),
}


def collector_for(service):
    """The collector module that calls boto3 `service`: its own SERVICE, else the one whose IAM_ACTIONS
    name that service as a prefix ("s3control:GetPublicAccessBlock" belongs to the s3 collector)."""
    [module] = [module for module in COLLECTORS if service == module.SERVICE] or [
        module for module in COLLECTORS if any(key.startswith(f"{service}:") for key in module.IAM_ACTIONS)
    ]
    return module


def test_every_api_the_collectors_call_is_allowed_by_the_template(aws):
    estate = truth_estate.build(aws)
    called = set()
    for account in estate.accounts:
        ctx = ScanContext(estate.sessions[account], account, truth_estate.REGIONS, truth_estate.HOME)
        collect_all(ctx)
        called |= {(service, operation) for service, _region, operation, _params in ctx.call_log.calls}

    allowed = read_actions()
    used = set()
    for service, operation in sorted(called):
        module = collector_for(service)
        key = operation if service == module.SERVICE else f"{service}:{operation}"
        assert key in module.IAM_ACTIONS, f"{module.__name__} calls {service}:{operation} without an IAM action"
        assert module.IAM_ACTIONS[key] in allowed, f"{module.IAM_ACTIONS[key]} is missing from the template"
        used.add((module.SERVICE, key))
    declared = {(module.SERVICE, key) for module in COLLECTORS for key in module.IAM_ACTIONS}
    assert declared - used == NOT_CALLED_ON_MOTO
