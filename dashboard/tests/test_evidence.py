"""Evidence packs: contents and manifest, Ed25519/HMAC signatures, and verify_evidence catching any change."""

import hashlib
import json
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime
from io import StringIO

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.db import transaction

from dashboard.exports import evidence, signing
from dashboard.exports.scope import Scope, parse_as_of
from dashboard.tests.report_estate import seed_estate
from tests.processes import run_python

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
MEMBERS = [
    "report.pdf",
    "findings.csv",
    "findings.json",
    "resources.json",
    "catalog.json",
    "compliance.json",
    "manifest.json",
    "manifest.sig",
]
HMAC_SECRET = "an-hmac-secret-that-is-long-enough-0123456789"  # noqa: S105 - a test key


def private_pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@pytest.fixture(scope="module")
def key():
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def packs(django_db_setup, django_db_blocker, tmp_path_factory, key):
    """Three packs of one seeded estate (Ed25519, HMAC, unsigned), built once: the PDF is the slow part."""
    import time_machine

    folder = tmp_path_factory.mktemp("packs")
    built = {}
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False), transaction.atomic():
        seed_estate(NOW, accounts=2, resources=2, names={0: "payments"})
        scope = Scope(as_of=parse_as_of("2026-11-10"))
        for name, signer in [
            ("ed25519", signing.Signer(signing.ED25519, key)),
            ("hmac", signing.Signer(signing.HMAC_SHA256, HMAC_SECRET.encode())),
            ("unsigned", None),
        ]:
            path = folder / f"{name}.zip"
            built[name] = (path, evidence.build(scope, path, "alice (auditor)", signer=signer))
        transaction.set_rollback(True)
    return built


@pytest.fixture
def signed(packs, tmp_path):
    """A private copy of the Ed25519 pack, safe to tamper with."""
    path = tmp_path / "pack.zip"
    shutil.copy(packs["ed25519"][0], path)
    return path


@pytest.fixture
def public_key_file(key, tmp_path):
    path = tmp_path / "posture-evidence.pub.pem"
    path.write_text(signing.public_key_pem(key.public_key()))
    return path


def rewrite(path, change):
    """Rebuild the ZIP at `path` with `change(name, data) -> data | None` applied (None drops the member)."""
    with zipfile.ZipFile(path) as pack:
        members = [(info, pack.read(info.filename)) for info in pack.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as pack:
        for info, data in members:
            data = change(info.filename, data)
            if data is not None:
                pack.writestr(info.filename, data)


def flip_byte(target):
    def change(name, data):
        if name != target:
            return data
        middle = len(data) // 2
        return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]

    return change


def verify(path, *args):
    out = StringIO()
    call_command("verify_evidence", str(path), *args, stdout=out)
    return out.getvalue()


# --- contents ------------------------------------------------------------------------------------------


def test_pack_holds_every_file_and_a_manifest_of_their_hashes(packs):
    path, manifest = packs["ed25519"]
    with zipfile.ZipFile(path) as pack:
        assert sorted(pack.namelist()) == sorted(MEMBERS)
        for entry in manifest["files"]:
            assert hashlib.sha256(pack.read(entry["name"])).hexdigest() == entry["sha256"]
            assert len(pack.read(entry["name"])) == entry["bytes"]
        stored = pack.read("manifest.json")
        assert json.loads(stored) == manifest
        assert pack.read("report.pdf").startswith(b"%PDF")
        assert pack.read("findings.csv").startswith("\ufeffaccount_id".encode())
    assert sorted(entry["name"] for entry in manifest["files"]) == sorted(MEMBERS[:6])


def test_manifest_states_scope_moment_author_version_and_signature(packs, key, settings):
    manifest = packs["ed25519"][1]
    assert manifest["as_of_date"] == "2026-11-10"
    assert manifest["as_of"] == "2026-11-10T23:59:59.999999+00:00"
    assert manifest["generated_by"] == "alice (auditor)"
    assert manifest["generated_at"].startswith("2026-11-20T15:00")
    assert manifest["posture_version"] == settings.POSTURE_VERSION
    assert manifest["scope"]["accounts"] == "all"
    assert manifest["scope"]["muted"] == "included"
    assert manifest["signature"] == {
        "algorithm": "ed25519",
        "file": "manifest.sig",
        "signed_bytes": "manifest.json",
        "key_id": signing.fingerprint(key.public_key()),
    }
    assert "latest Posture collected" in manifest["evidence_note"]
    assert packs["hmac"][1]["signature"]["algorithm"] == "hmac-sha256"
    assert packs["unsigned"][1]["signature"]["algorithm"] == "none"


def test_resources_json_holds_resources_that_existed_on_the_date_with_evidence(packs):
    with zipfile.ZipFile(packs["ed25519"][0]) as pack:
        resources = json.loads(pack.read("resources.json"))
        findings = json.loads(pack.read("findings.json"))
    assert len(resources) == packs["ed25519"][1]["counts"]["resources"] > 0
    assert {"uid", "type", "evidence", "tags", "key_owner", "first_seen", "gone_at"} <= set(resources[0])
    assert all(resource["first_seen"] <= "2026-11-10T23:59:59.999999+00:00" for resource in resources)
    assert len(findings) == packs["ed25519"][1]["counts"]["findings"] > 0


def test_the_signature_verifies_with_openssl_alone(packs, public_key_file, tmp_path):
    with zipfile.ZipFile(packs["ed25519"][0]) as pack:
        pack.extractall(tmp_path)
    result = subprocess.run(
        [
            "openssl",
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            str(public_key_file),
            "-rawin",
            "-in",
            str(tmp_path / "manifest.json"),
            "-sigfile",
            str(tmp_path / "manifest.sig"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- verification ----------------------------------------------------------------------------------------


def test_untouched_pack_verifies(signed, public_key_file):
    assert verify(signed, "--public-key", str(public_key_file)).startswith("verified")


@pytest.mark.parametrize("member", MEMBERS)
def test_changing_any_byte_of_any_file_fails_naming_it(signed, public_key_file, member):
    rewrite(signed, flip_byte(member))

    with pytest.raises(CommandError) as failure:
        verify(signed, "--public-key", str(public_key_file))
    assert failure.value.returncode == 1
    # A changed manifest.json breaks its signature: the mismatch names manifest.sig over manifest.json.
    assert str(failure.value).startswith(f"NOT verified: {member}:") or (
        member == "manifest.json" and "manifest.sig: the signature does not match manifest.json" in str(failure.value)
    )


def test_a_damaged_zip_member_fails_its_crc_and_is_named(signed, public_key_file):
    data = bytearray(signed.read_bytes())
    with zipfile.ZipFile(signed) as pack:
        info = pack.getinfo("findings.csv")
    offset = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.compress_size // 2
    data[offset] ^= 0xFF
    signed.write_bytes(bytes(data))

    verdict = evidence.verify(signed, public_key=signing.load_public_key(public_key_file.read_bytes()))
    assert not verdict.ok
    assert verdict.message.startswith("findings.csv:")


def test_an_extra_file_fails(signed, public_key_file):
    with zipfile.ZipFile(signed, "a") as pack:
        pack.writestr("notes.txt", "added later")
    with pytest.raises(CommandError, match="notes.txt: in the pack but not listed"):
        verify(signed, "--public-key", str(public_key_file))


def test_a_missing_file_fails(signed, public_key_file):
    rewrite(signed, lambda name, data: None if name == "resources.json" else data)
    with pytest.raises(CommandError, match="resources.json: listed in the manifest but missing"):
        verify(signed, "--public-key", str(public_key_file))


def test_a_duplicated_member_fails(signed, public_key_file):
    with zipfile.ZipFile(signed, "a") as pack, pytest.warns(UserWarning, match="Duplicate name"):
        pack.writestr("findings.csv", "account_id\n")
    with pytest.raises(CommandError, match="findings.csv: appears more than once"):
        verify(signed, "--public-key", str(public_key_file))


def test_another_key_fails(signed, tmp_path):
    other = tmp_path / "other.pem"
    other.write_text(signing.public_key_pem(Ed25519PrivateKey.generate().public_key()))
    with pytest.raises(CommandError, match="manifest.sig: the signature does not match"):
        verify(signed, "--public-key", str(other))


def test_the_configured_signing_key_is_used_by_default(signed, key, tmp_path, settings):
    pem = tmp_path / "signing.pem"
    pem.write_bytes(private_pem(key))
    settings.EVIDENCE_SIGNING_KEY = str(pem)
    assert verify(signed).startswith("verified")


def test_without_any_public_key_an_ed25519_pack_is_not_verified(signed, settings):
    settings.EVIDENCE_SIGNING_KEY = ""
    with pytest.raises(CommandError, match="give the public key"):
        verify(signed)


def test_hmac_pack_verifies_with_the_key_from_a_named_variable(packs, monkeypatch):
    monkeypatch.setenv("AUDIT_HMAC", HMAC_SECRET)
    assert verify(packs["hmac"][0], "--hmac-key-env", "AUDIT_HMAC").startswith("verified")
    monkeypatch.setenv("AUDIT_HMAC", HMAC_SECRET + "x")
    with pytest.raises(CommandError, match="manifest.sig: the signature does not match"):
        verify(packs["hmac"][0], "--hmac-key-env", "AUDIT_HMAC")


@pytest.mark.parametrize("member", MEMBERS[:7])
def test_changing_any_byte_of_an_hmac_pack_fails(packs, tmp_path, monkeypatch, member):
    path = tmp_path / "hmac.zip"
    shutil.copy(packs["hmac"][0], path)
    rewrite(path, flip_byte(member))
    monkeypatch.setenv("AUDIT_HMAC", HMAC_SECRET)
    with pytest.raises(CommandError, match=f"NOT verified: ({member}|manifest.sig):"):
        verify(path, "--hmac-key-env", "AUDIT_HMAC")


def test_unsigned_pack_is_refused_unless_allowed(packs, tmp_path):
    with pytest.raises(CommandError, match="UNSIGNED"):
        verify(packs["unsigned"][0])
    assert "UNSIGNED" in verify(packs["unsigned"][0], "--allow-unsigned")

    path = tmp_path / "unsigned.zip"
    shutil.copy(packs["unsigned"][0], path)
    rewrite(path, flip_byte("findings.json"))
    with pytest.raises(CommandError, match="findings.json: SHA-256"):
        verify(path, "--allow-unsigned")


def test_stripping_the_signature_of_a_signed_pack_is_caught(signed, public_key_file):
    rewrite(signed, lambda name, data: None if name == "manifest.sig" else data)
    with pytest.raises(CommandError, match="manifest.sig: missing"):
        verify(signed, "--public-key", str(public_key_file))


def test_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "pack.zip"
    path.write_text("hello")
    with pytest.raises(CommandError, match="not a readable ZIP"):
        verify(path, "--allow-unsigned")


# --- keys and settings ------------------------------------------------------------------------------------


def test_evidence_public_key_prints_the_pem_of_the_configured_key(key, tmp_path, settings):
    pem = tmp_path / "signing.pem"
    pem.write_bytes(private_pem(key))
    settings.EVIDENCE_SIGNING_KEY = str(pem)
    out, err = StringIO(), StringIO()
    call_command("evidence_public_key", stdout=out, stderr=err)
    assert out.getvalue() == signing.public_key_pem(key.public_key())
    assert signing.fingerprint(key.public_key()) in err.getvalue()


def test_evidence_public_key_without_a_key_says_so(settings):
    settings.EVIDENCE_SIGNING_KEY = ""
    with pytest.raises(CommandError, match="No Ed25519 signing key is configured"):
        call_command("evidence_public_key")


def test_configured_signer_follows_settings(key, tmp_path, settings):
    pem = tmp_path / "signing.pem"
    pem.write_bytes(private_pem(key))
    settings.EVIDENCE_SIGNING_KEY, settings.EVIDENCE_HMAC_KEY = str(pem), ""
    assert signing.configured_signer().algorithm == signing.ED25519
    settings.EVIDENCE_SIGNING_KEY, settings.EVIDENCE_HMAC_KEY = "", HMAC_SECRET
    assert signing.configured_signer().algorithm == signing.HMAC_SHA256
    settings.EVIDENCE_HMAC_KEY = ""
    assert signing.configured_signer() is None


SETUP = "import django; django.setup()"


@pytest.mark.parametrize(
    ("content", "variables", "named"),
    [
        (None, {"POSTURE_EVIDENCE_SIGNING_KEY": "/nonexistent/key.pem"}, "POSTURE_EVIDENCE_SIGNING_KEY"),
        (b"not a key", {}, "POSTURE_EVIDENCE_SIGNING_KEY"),
        (None, {"POSTURE_EVIDENCE_HMAC_KEY": "short"}, "POSTURE_EVIDENCE_HMAC_KEY"),
    ],
)
def test_a_malformed_signing_setting_stops_start_up_naming_it(tmp_path, content, variables, named):
    if content is not None:
        (tmp_path / "bad.pem").write_bytes(content)
        variables = {"POSTURE_EVIDENCE_SIGNING_KEY": str(tmp_path / "bad.pem")}
    result = run_python(SETUP, DEBUG="true", **variables)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"django.core.exceptions.ImproperlyConfigured: {named}"), result.stderr


def test_a_good_signing_key_starts(tmp_path, key):
    (tmp_path / "good.pem").write_bytes(private_pem(key))
    result = run_python(SETUP, DEBUG="true", POSTURE_EVIDENCE_SIGNING_KEY=str(tmp_path / "good.pem"))
    assert result.returncode == 0, result.stderr


def test_a_pack_is_signed_with_the_configured_key_by_default(settings, tmp_path, monkeypatch):
    from dashboard.exports import pdf

    monkeypatch.setattr(pdf, "render", lambda scope, generated_by: b"%PDF-1.7 stand-in")
    settings.EVIDENCE_SIGNING_KEY, settings.EVIDENCE_HMAC_KEY = "", HMAC_SECRET
    manifest = evidence.build(Scope(), tmp_path / "pack.zip", "carol")
    assert manifest["signature"]["algorithm"] == "hmac-sha256"
    with zipfile.ZipFile(tmp_path / "pack.zip") as pack:
        assert signing.verify_hmac(HMAC_SECRET.encode(), pack.read("manifest.json"), pack.read("manifest.sig"))


# --- bounded reading of an untrusted pack -----------------------------------------------------------------


def test_an_oversized_manifest_is_refused_before_it_is_parsed(signed, public_key_file):
    rewrite(signed, lambda name, data: data + b" " * (2 << 20) if name == "manifest.json" else data)

    with pytest.raises(CommandError, match=r"manifest.json: 2,09\d,\d{3} bytes, more than the 1,048,576"):
        verify(signed, "--public-key", str(public_key_file))


def test_an_oversized_signature_is_refused(signed, public_key_file):
    rewrite(signed, lambda name, data: data * 1000 if name == "manifest.sig" else data)

    with pytest.raises(CommandError, match=r"manifest.sig: [\d,]+ bytes, more than the 4,096"):
        verify(signed, "--public-key", str(public_key_file))


def test_a_member_larger_than_the_bound_is_not_read(signed, public_key_file, monkeypatch):
    monkeypatch.setattr(evidence, "MAX_MEMBER_BYTES", 100)

    with pytest.raises(CommandError, match=r"NOT verified: [a-z]+\.[a-z]+: [\d,]+ bytes, more than the 100 "):
        verify(signed, "--public-key", str(public_key_file))


def test_a_pack_of_too_many_members_is_refused(signed, public_key_file):
    with zipfile.ZipFile(signed, "a") as pack:
        for number in range(evidence.MAX_MEMBERS):
            pack.writestr(f"padding/{number}.txt", "")

    with pytest.raises(CommandError, match=r"the pack holds 1,00\d files, more than the 1,000"):
        verify(signed, "--public-key", str(public_key_file))


class Unscannable(list):
    """A member list that fails if searched from the start for each name (the quadratic way)."""

    membership_tests = 0

    def count(self, value):
        raise AssertionError("names.count() per name is quadratic")

    def index(self, *args):
        raise AssertionError("names.index() per name is quadratic")

    def __contains__(self, value):
        type(self).membership_tests += 1
        return super().__contains__(value)


def test_member_names_are_checked_in_linear_time(signed, public_key_file, monkeypatch):
    with zipfile.ZipFile(signed, "a") as pack:
        for number in range(500):
            pack.writestr(f"padding/{number}.txt", "")
    namelist = zipfile.ZipFile.namelist
    monkeypatch.setattr(zipfile.ZipFile, "namelist", lambda pack: Unscannable(namelist(pack)))

    with pytest.raises(CommandError, match="padding/0.txt: in the pack but not listed"):
        verify(signed, "--public-key", str(public_key_file))
    assert Unscannable.membership_tests <= 2  # a set answers the rest
