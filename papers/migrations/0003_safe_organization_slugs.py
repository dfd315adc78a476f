"""Give every organization a slug a URL can carry (see papers/slugs.py).

Slugs were the source's organization name as it was, so a name such as ``slash/org`` made
every page linking to the organization fail. Safe slugs (all of HF's real names) are left
alone; the others get the slug an import derives today, so re-imports find them again.
"""

from django.db import migrations

from papers.slugs import is_safe_slug, organization_slug


def safe_slugs(apps, schema_editor):
    Organization = apps.get_model("papers", "Organization")
    taken = set(Organization.objects.values_list("slug", flat=True))
    for org in Organization.objects.all().iterator():
        if is_safe_slug(org.slug):
            continue
        slug = organization_slug(org.slug)
        if slug in taken:  # only if two stored slugs differ by what the hash cannot see
            slug = f"{slug[:190]}-{org.pk}"
        taken.add(slug)
        Organization.objects.filter(pk=org.pk).update(slug=slug)


class Migration(migrations.Migration):
    dependencies = [("papers", "0002_indexes_for_catch_up")]

    operations = [migrations.RunPython(safe_slugs, migrations.RunPython.noop)]
