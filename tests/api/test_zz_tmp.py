import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.factories import make_daily_paper

@pytest.mark.django_db
def test_count(client):
    make_daily_paper("2025-02-12")
    with CaptureQueriesContext(connection) as c:
        client.get("/api/daily_papers?date=2025-02-12")
    print("QUERIES", len(c), [q["sql"][:60] for q in c.captured_queries])
    with CaptureQueriesContext(connection) as c:
        from papers.models import Paper; list(Paper.objects.all())
    print("DIRECT", len(c))
