"""Signatures over an evidence pack's manifest.json: Ed25519 (a key pair) or HMAC-SHA256 (a shared secret).

manifest.sig holds the raw signature bytes over the exact manifest.json bytes, so an auditor can
check a pack without Posture:
    openssl pkeyutl -verify -pubin -inkey posture-evidence.pub.pem -rawin -in manifest.json -sigfile manifest.sig
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

ED25519, HMAC_SHA256, UNSIGNED = "ed25519", "hmac-sha256", "none"


@dataclass(frozen=True)
class Signer:
    algorithm: str
    key: object  # Ed25519PrivateKey or the HMAC secret (bytes)

    def sign(self, data):
        if self.algorithm == ED25519:
            return self.key.sign(data)
        return hmac.new(self.key, data, hashlib.sha256).digest()

    @property
    def key_id(self):
        """Which key signed (Ed25519: the public key's fingerprint); HMAC secrets are not fingerprinted."""
        return fingerprint(self.key.public_key()) if self.algorithm == ED25519 else ""


def load_private_key(path):
    key = serialization.load_pem_private_key(open(path, "rb").read(), password=None)  # noqa: SIM115
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key.")
    return key


def configured_signer():
    """The signer from settings (POSTURE_EVIDENCE_SIGNING_KEY or POSTURE_EVIDENCE_HMAC_KEY), or None."""
    if settings.EVIDENCE_SIGNING_KEY:
        return Signer(ED25519, load_private_key(settings.EVIDENCE_SIGNING_KEY))
    if settings.EVIDENCE_HMAC_KEY:
        return Signer(HMAC_SHA256, settings.EVIDENCE_HMAC_KEY.encode())
    return None


def public_key_pem(public_key):
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def configured_public_key():
    """The public half of the configured Ed25519 key, or None."""
    if not settings.EVIDENCE_SIGNING_KEY:
        return None
    return load_private_key(settings.EVIDENCE_SIGNING_KEY).public_key()


def fingerprint(public_key):
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")
    return f"SHA256:{digest}"


def load_public_key(data):
    """An Ed25519 public key from PEM bytes; a private key PEM gives its public half."""
    if b"PRIVATE KEY" in data:
        key = serialization.load_pem_private_key(data, password=None)
        key = key.public_key() if isinstance(key, Ed25519PrivateKey) else None
    else:
        key = serialization.load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 key")
    return key


def verify_ed25519(public_key, data, signature):
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


def verify_hmac(secret, data, signature):
    return hmac.compare_digest(hmac.new(secret, data, hashlib.sha256).digest(), signature)
