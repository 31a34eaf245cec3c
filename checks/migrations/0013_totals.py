from django.db import migrations, models


def total_the_counts(apps, schema_editor):
    """The totals of the per-account counts recording has kept so far (later scans move them)."""
    from checks import check_counts, owner_counts

    owner_counts.retotal()
    check_counts.retotal()


class Migration(migrations.Migration):
    dependencies = [
        ("checks", "0012_requirement_statuses"),
    ]

    operations = [
        migrations.CreateModel(
            name="OwnerTotal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("type", models.CharField(max_length=64)),
                (
                    "key_owner",
                    models.CharField(
                        choices=[
                            ("aws_owned", "AWS-owned"),
                            ("aws_managed", "AWS-managed"),
                            ("customer_managed", "Customer-managed"),
                            ("external", "Another account's"),
                            ("unencrypted", "Unencrypted"),
                            ("unknown", "Unknown"),
                        ],
                        max_length=20,
                    ),
                ),
                ("count", models.IntegerField()),
                ("accounts", models.IntegerField()),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("type", "key_owner"), name="unique_owner_total")],
            },
        ),
        migrations.CreateModel(
            name="CheckTotal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("check_id", models.CharField(max_length=128)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("PASS", "Pass"),
                            ("FAIL", "Fail"),
                            ("ERROR", "Error"),
                            ("NOT_APPLICABLE", "Not applicable"),
                        ],
                        max_length=16,
                    ),
                ),
                ("count", models.IntegerField()),
                ("accounts", models.IntegerField()),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("check_id", "status"), name="unique_check_total")],
            },
        ),
        migrations.RunPython(total_the_counts, migrations.RunPython.noop),
    ]
