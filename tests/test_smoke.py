from hub.search import indexing
from tests import factories


def test_published_document_page_is_served(app, client):
    doc = factories.document(title="Solar mini-grids for clinics")
    indexing.catch_up()
    response = client.get(f"/briefs/{doc.slug}")
    assert response.status_code == 200
    assert b"Solar mini-grids for clinics" in response.data
