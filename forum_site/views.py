from django.db import connection
from django.http import HttpResponse


def healthz(request):
    """For load balancers: one trivial query through the full middleware stack."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")
