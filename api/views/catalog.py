"""The check catalog with each check's compliance mapping (as `manage.py catalog --format json`)."""

from rest_framework.response import Response

from api.endpoints import endpoint, query
from api.serializers import CatalogSerializer
from checks.compliance import catalog_entries


@endpoint(["GET"], GET={"responses": {200: CatalogSerializer}, "summary": "Every check and its compliance mapping"})
def catalog(request):
    query(request, ())
    return Response({"results": catalog_entries()})
