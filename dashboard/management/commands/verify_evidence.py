import os

from django.core.management.base import BaseCommand, CommandError

from dashboard.exports import evidence, signing


class Command(BaseCommand):
    help = (
        "Verify an evidence pack: the manifest's signature, every file's SHA-256, nothing missing or extra. "
        "Exits 0 and prints 'verified', or exits 1 naming the first mismatch."
    )

    def add_arguments(self, parser):
        parser.add_argument("pack", metavar="PACK.zip")
        keys = parser.add_mutually_exclusive_group()
        keys.add_argument(
            "--public-key",
            metavar="FILE",
            help="Ed25519 public key (PEM) to verify with. Default: the configured signing key's.",
        )
        keys.add_argument(
            "--hmac-key-env",
            metavar="VAR",
            help="Name of the environment variable holding the HMAC key. "
            "Default: POSTURE_EVIDENCE_HMAC_KEY as configured.",
        )
        parser.add_argument(
            "--allow-unsigned",
            action="store_true",
            help="Accept a pack built without a signing key (its hashes are still checked).",
        )

    def handle(self, *args, **options):
        verdict = evidence.verify(
            options["pack"],
            public_key=self.public_key(options["public_key"]),
            hmac_key=self.hmac_key(options["hmac_key_env"]),
            allow_unsigned=options["allow_unsigned"],
        )
        if not verdict.ok:
            raise CommandError(f"NOT verified: {verdict.message}", returncode=1)
        self.stdout.write(verdict.message)

    def public_key(self, path):
        if path is None:
            return signing.configured_public_key()
        try:
            with open(path, "rb") as key_file:
                return signing.load_public_key(key_file.read())
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        except ValueError:
            raise CommandError(f"{path} is not an Ed25519 key in PEM format.") from None

    def hmac_key(self, variable):
        from django.conf import settings

        if variable is None:
            return settings.EVIDENCE_HMAC_KEY.encode() or None
        # The key is named, not given, so it never appears in a shell history or a process list.
        value = os.environ.get(variable, "")
        if not value:
            raise CommandError(f"The environment variable {variable} is not set.")
        return value.encode()
