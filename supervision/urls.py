"""URLs for supervision: sharing and feedback, the supervisor's dashboard, records and PDFs.

Two packages keep the halves apart: `sharing` (sharing, dashboard, feedback) and
`records` (supervision records, the brief and printable summaries).
"""

from supervision.records.urls import urlpatterns as records_urlpatterns
from supervision.sharing.urls import urlpatterns as sharing_urlpatterns

app_name = "supervision"

urlpatterns = [*sharing_urlpatterns, *records_urlpatterns]
