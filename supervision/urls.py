"""URLs for supervision: sharing and feedback, the supervisor's dashboard, records and PDFs.

Two modules keep the halves apart: `urls_sharing` (sharing, dashboard, feedback) and
`urls_records` (supervision records and printable summaries).
"""

from supervision.urls_records import urlpatterns as records_urlpatterns
from supervision.urls_sharing import urlpatterns as sharing_urlpatterns

app_name = "supervision"

urlpatterns = [*sharing_urlpatterns, *records_urlpatterns]
