"""Verified account addresses, and one account per address (case-insensitive).

Accounts that share an address keep it on the oldest account (the first to register it);
the others get an empty address, and each change is written to the audit log with the old
address, so a curator can sort them out. Empty addresses stay allowed on any number of
accounts (the index is partial). Existing addresses count as unverified.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

INDEX = "community_user_email_ci_unique"


def clear_duplicate_emails(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    AuditLog = apps.get_model("community", "AuditLog")
    kept: dict[str, int] = {}
    rows = User.objects.exclude(email="").order_by("pk").only("pk", "email", "username")
    for user in rows:
        key = user.email.lower()
        if key not in kept:
            kept[key] = user.pk
            continue
        AuditLog.objects.create(
            action="clear_duplicate_email",
            target_type="user",
            target_id=str(user.pk),
            target_repr=user.username[:300],
            details={"email": user.email, "kept_by_user_id": kept[key]},
            created_at=timezone.now(),
        )
        User.objects.filter(pk=user.pk).update(email="")


class Migration(migrations.Migration):

    dependencies = [
        ('community', '0002_curator_group'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='VerifiedEmail',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email', models.EmailField(max_length=254)),
                ('verified_at', models.DateTimeField()),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='verified_email', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.RunPython(clear_duplicate_emails, migrations.RunPython.noop),
        # auth_user belongs to django.contrib.auth, so the index is created in SQL (the same
        # statement on SQLite and PostgreSQL).
        migrations.RunSQL(
            f"CREATE UNIQUE INDEX {INDEX} ON auth_user (LOWER(email)) WHERE email <> ''",
            f"DROP INDEX IF EXISTS {INDEX}",
        ),
    ]
