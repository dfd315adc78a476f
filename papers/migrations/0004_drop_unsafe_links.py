"""Drop stored links that are not http(s), as imports do now (dailypapers.text.safe_url).

Organization avatars, submitters' avatars and media URLs were stored as the source gave
them, ``javascript:`` included, and served by the API. Paper links (GitHub, project page,
thumbnail) were always checked. The model fields also only accept http(s) from now on (the
admin's forms).
"""

import django.core.validators
from django.db import migrations, models

from dailypapers.text import safe_url

HTTP_ONLY = [django.core.validators.URLValidator(schemes=["http", "https"])]
LINK_FIELDS = [
    ("organization", "avatar_url"),
    ("paper", "github_repo"),
    ("paper", "project_page"),
    ("paper", "thumbnail"),
]


def drop_unsafe_links(apps, schema_editor):
    Organization = apps.get_model("papers", "Organization")
    DailyEntry = apps.get_model("papers", "DailyEntry")
    Paper = apps.get_model("papers", "Paper")
    for org in Organization.objects.exclude(avatar_url="").iterator():
        if safe_url(org.avatar_url) is None:
            Organization.objects.filter(pk=org.pk).update(avatar_url="")
    entries = DailyEntry.objects.exclude(submitter_avatar="").exclude(
        submitter_avatar__startswith="https://"
    )
    for entry in entries.iterator():
        if safe_url(entry.submitter_avatar, allow_path=True) is None:
            DailyEntry.objects.filter(pk=entry.pk).update(submitter_avatar="")
    for paper in Paper.objects.filter(extra__has_key="mediaUrls").iterator():
        media = paper.extra.get("mediaUrls")
        links = media if isinstance(media, list) else []
        kept = [url for url in links if isinstance(url, str) and safe_url(url)]
        if kept != media:
            Paper.objects.filter(pk=paper.pk).update(extra={**paper.extra, "mediaUrls": kept})


class Migration(migrations.Migration):
    dependencies = [("papers", "0003_safe_organization_slugs")]

    operations = [
        migrations.RunPython(drop_unsafe_links, migrations.RunPython.noop),
        *(
            migrations.AlterField(
                model_name=model,
                name=name,
                field=models.URLField(blank=True, max_length=500, validators=HTTP_ONLY),
            )
            for model, name in LINK_FIELDS
        ),
    ]
