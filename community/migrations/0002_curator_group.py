"""Create the "curator" group with the admin permissions curators need."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATOR_PERMISSIONS = {
    "papers": ["view_paper", "change_paper", "view_dailyentry", "change_dailyentry",
               "view_author", "view_organization", "view_paperauthor", "change_paperauthor"],
    "community": ["view_comment", "change_comment", "view_authorshipclaim",
                  "change_authorshipclaim", "view_auditlog", "view_vote",
                  "view_pendingsubmission", "view_collection"],
    "auth": ["view_user"],
}


def create_curator_group(apps, schema_editor):
    # Permissions are normally created after all migrations ran; create them now so the
    # group can reference them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="curator")
    for app_label, codenames in CURATOR_PERMISSIONS.items():
        perms = Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
        group.permissions.add(*perms)


def remove_curator_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="curator").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0001_initial"),
        ("papers", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_curator_group, remove_curator_group)]
