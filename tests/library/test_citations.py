"""Papers out: "Cite" on the paper page (no JavaScript needed), .bib / CSL-JSON downloads,
and exports of collections and of the whole library."""

from __future__ import annotations

import json

import bibtexparser
import pytest
from django.test import Client

from community import services as community
from library import services
from library.citations import bibtex_value, citation_keys
from papers.cards import cards_in_order
from tests.factories import make_paper, make_user
from tests.library.conftest import AT

pytestmark = pytest.mark.django_db


def _entries(text: str) -> dict[str, dict[str, str]]:
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    return {e.key: {f.key: f.value for f in e.fields} for e in library.entries}


def test_the_paper_page_shows_its_bibtex_without_javascript(client: Client):
    make_paper(
        "2401.00007",
        "Cats & Dogs: 100% {Unbalanced",
        authors=("Ada Lovelace", "Grace Brewster Hopper"),
        published_at=AT,
        primary_category="cs.LG",
    )
    page = client.get("/papers/2401.00007").content.decode()
    assert "<details>" in page and "Cite" in page
    assert "@misc{lovelace2024cats," in page
    assert 'href="/papers/2401.00007/cite.bib"' in page
    bib = client.get("/papers/2401.00007/cite.bib")
    assert bib["Content-Type"].startswith("application/x-bibtex")
    assert bib["Content-Disposition"] == 'attachment; filename="2401-00007.bib"'
    fields = _entries(bib.content.decode())["lovelace2024cats"]
    assert fields["title"] == r"{Cats \& Dogs: 100\% Unbalanced}"
    assert fields["author"] == "Lovelace, Ada and Hopper, Grace Brewster"
    assert (fields["eprint"], fields["archivePrefix"], fields["primaryClass"]) == (
        "2401.00007",
        "arXiv",
        "cs.LG",
    )
    assert fields["doi"] == "10.48550/arXiv.2401.00007"
    assert fields["year"] == "2024"


def test_the_cite_page_and_csl_json(client: Client):
    make_paper("hep-th/9901001", "Old Style", authors=("Plato",), published_at=AT)
    page = client.get("/papers/hep-th/9901001/cite")
    assert page.status_code == 200 and "@misc{plato2024old," in page.content.decode()
    item = json.loads(client.get("/papers/hep-th/9901001/cite.json").content)[0]
    assert item["type"] == "article" and item["number"] == "arXiv:hep-th/9901001"
    assert item["author"] == [{"literal": "Plato"}]
    assert item["issued"] == {"date-parts": [[2024, 1, 2]]}
    assert client.get("/papers/2401.99999/cite").status_code == 404
    assert client.get("/papers/hep-th/9901001v2/cite")["Location"] == "/papers/hep-th/9901001/cite"


def test_citation_keys_are_unique_and_values_safe():
    a = make_paper("2401.00010", "Same Title", authors=("Ada Lovelace",), published_at=AT)
    b = make_paper("2401.00011", "Same title", authors=("Ada Lovelace",), published_at=AT)
    assert citation_keys(cards_in_order([a.pk, b.pk])) == ["lovelace2024same", "lovelace2024samea"]
    assert bibtex_value("a}b{") == "ab"
    assert bibtex_value(r"keep {\em this} \& $x_1$") == r"keep {\em this} \& $x_1$"


def test_collection_export_for_the_owner_and_for_anyone_when_public(client: Client):
    owner, other = make_user(), make_user()
    paper = make_paper("2401.00012", "In a collection")
    collection = community.create_collection(owner, "Reading group", is_public=False)
    community.add_collection_item(owner, collection, paper)
    url = f"/collections/{collection.pk}/export.bib"
    client.force_login(other)
    assert client.get(url).status_code == 404
    client.force_login(owner)
    response = client.get(url)
    assert response["Content-Disposition"] == 'attachment; filename="reading-group.bib"'
    assert "2401.00012" in response.content.decode()
    community.update_collection(owner, collection, is_public=True)
    client.logout()
    assert json.loads(client.get(f"/collections/{collection.pk}/export.json").content)[0][
        "number"
    ] == ("arXiv:2401.00012")


def test_the_library_export_is_the_union_of_collections_upvotes_and_claims(client: Client):
    user = make_user()
    saved = make_paper("2401.00013", "Saved")
    voted = make_paper("2401.00014", "Voted")
    claimed = make_paper("2401.00015", "Claimed", authors=("Ada Lovelace",))
    make_paper("2401.00016", "Not mine")
    services.import_library(user, "2401.00013")
    community.set_vote(user, voted.pk, True)
    authorship = claimed.authorships.get()
    claim = community.claim_authorship(user, authorship)
    curator = make_user(is_superuser=True, is_staff=True)
    community.decide_claim(curator, claim, approve=True)
    client.force_login(user)
    text = client.get("/library/export.bib").content.decode()
    eprints = {fields["eprint"] for fields in _entries(text).values()}
    assert eprints == {saved.arxiv_id, voted.arxiv_id, claimed.arxiv_id}
