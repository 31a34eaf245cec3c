from django.core.management.base import BaseCommand, CommandError

from dashboard.exports import signing


class Command(BaseCommand):
    help = "Print the public key (PEM) auditors use to verify evidence packs signed with Ed25519."

    def handle(self, *args, **options):
        public_key = signing.configured_public_key()
        if public_key is None:
            raise CommandError(
                "No Ed25519 signing key is configured (POSTURE_EVIDENCE_SIGNING_KEY); "
                "evidence packs are signed with HMAC or not at all."
            )
        self.stdout.write(signing.public_key_pem(public_key), ending="")
        self.stderr.write(f"Fingerprint: {signing.fingerprint(public_key)}")
