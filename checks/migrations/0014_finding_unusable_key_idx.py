from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_teams"),
        ("checks", "0013_totals"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(
                condition=models.Q(
                    ("check_id", "kms.key_in_use_unusable"), ("closed_at__isnull", True), ("status", "FAIL")
                ),
                fields=["account", "resource"],
                name="finding_unusable_key_idx",
            ),
        ),
    ]
