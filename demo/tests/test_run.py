"""The launcher's own state under var/: the evidence-signing key it makes on the first run signs the
demo's evidence packs, and verify_evidence finds the signature valid."""

import io
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from django.core.management import call_command

from demo import run
from posture.settings import env_ed25519_key_file


def test_the_first_run_makes_an_owner_only_ed25519_key_and_later_runs_keep_it(tmp_path):
    path = tmp_path / "var" / "demo-evidence-signing-key.pem"
    path.parent.mkdir()

    made = run.evidence_signing_key(path)

    assert made == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert isinstance(load_pem_private_key(path.read_bytes(), password=None), Ed25519PrivateKey)
    first = path.read_bytes()
    run.evidence_signing_key(path)
    assert path.read_bytes() == first


def test_an_empty_key_file_is_replaced_by_a_key(tmp_path):
    path = tmp_path / "key.pem"
    path.write_text("")
    run.evidence_signing_key(path)
    assert b"PRIVATE KEY" in path.read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_every_demo_process_gets_the_key_unless_the_user_configured_signing(tmp_path, monkeypatch):
    key = run.evidence_signing_key(tmp_path / "key.pem")
    monkeypatch.delenv("POSTURE_EVIDENCE_SIGNING_KEY", raising=False)
    monkeypatch.delenv("POSTURE_EVIDENCE_HMAC_KEY", raising=False)

    env = run.environment(5055, "secret", key)

    assert env["POSTURE_EVIDENCE_SIGNING_KEY"] == str(key)
    monkeypatch.setenv("POSTURE_EVIDENCE_SIGNING_KEY", env["POSTURE_EVIDENCE_SIGNING_KEY"])
    assert env_ed25519_key_file("POSTURE_EVIDENCE_SIGNING_KEY") == str(key)  # what settings accept at start
    monkeypatch.setenv("POSTURE_EVIDENCE_HMAC_KEY", "h" * 40)
    monkeypatch.delenv("POSTURE_EVIDENCE_SIGNING_KEY")
    assert "POSTURE_EVIDENCE_SIGNING_KEY" not in run.environment(5055, "secret", key)


@pytest.mark.django_db
def test_a_pack_exported_with_the_demo_key_verifies_with_a_valid_signature(tmp_path, settings):
    settings.EVIDENCE_SIGNING_KEY = str(run.evidence_signing_key(tmp_path / "key.pem"))
    settings.REPORTS_DIR = tmp_path / "reports"
    pack = tmp_path / "pack.zip"
    call_command("export", "--format", "evidence", "-o", str(pack), stdout=io.StringIO())

    out = io.StringIO()
    call_command("verify_evidence", str(pack), stdout=out)

    assert "ed25519 signature valid" in out.getvalue()


@pytest.mark.django_db
def test_each_demo_run_prints_a_working_api_token_and_revokes_the_last_one(client, capsys):
    from django.contrib.auth.models import User

    from api.models import ApiToken

    User.objects.create_superuser(run.ADMIN_USERNAME, password="a-long-demo-password")
    first, second = run.demo_api_token(), run.demo_api_token()
    run.banner(8000, "pw", 1.0, api_token=second)
    assert f"Bearer {second}' 'http://127.0.0.1:8000/api/v1/findings/?status=FAIL'" in capsys.readouterr().out
    assert client.get("/api/v1/findings/", headers={"Authorization": f"Bearer {first}"}).status_code == 401
    assert client.get("/api/v1/findings/", headers={"Authorization": f"Bearer {second}"}).status_code == 200
    assert ApiToken.objects.usable().count() == 1
