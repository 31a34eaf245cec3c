from django.core.management.base import BaseCommand

from checks import audit_role


class Command(BaseCommand):
    help = "Print the CloudFormation template of the read-only audit role (accounts/cloudformation/audit-role.yaml)."

    def handle(self, *args, **options):
        self.stdout.write(audit_role.render(), ending="")
