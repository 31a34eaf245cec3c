import django.db.models.deletion
from django.db import migrations, models


def work_out_the_statuses(apps, schema_editor):
    """Existing history: every account's requirement statuses worked out of its check statuses (and the
    mapping they are for recorded)."""
    from checks.requirement_statuses import rebuild

    rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_teams"),
        ("checks", "0011_check_statuses"),
    ]

    operations = [
        migrations.CreateModel(
            name="RequirementMapping",
            fields=[
                ("framework", models.CharField(max_length=32, primary_key=True, serialize=False)),
                ("fingerprint", models.CharField(max_length=64)),
            ],
        ),
        migrations.CreateModel(
            name="RequirementStatus",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("framework", models.CharField(max_length=32)),
                ("requirement", models.PositiveSmallIntegerField()),
                ("status", models.CharField(max_length=16)),
                ("since", models.DateTimeField()),
                ("until", models.DateTimeField(blank=True, null=True)),
                ("month", models.DateField(blank=True, null=True)),
                (
                    "account",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.awsaccount",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        condition=models.Q(("until__isnull", True)),
                        fields=["framework", "account", "requirement", "status", "since"],
                        name="requirement_status_open_idx",
                    ),
                    models.Index(
                        condition=models.Q(("until__isnull", False)),
                        fields=["month", "framework", "account", "requirement", "status", "since", "until"],
                        name="requirement_status_month_idx",
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("until__isnull", True)),
                        fields=("account", "framework", "requirement"),
                        name="one_open_requirement_status",
                    )
                ],
            },
        ),
        migrations.RunPython(work_out_the_statuses, migrations.RunPython.noop),
    ]
