"""URLs for reflections: the guided flow and reflection pages, and the worker's lists and practice.

Two modules keep the two halves apart: `urls_flow` (writing, saving, submitting, reading one
reflection) and `urls_practice` (My reflections and My practice).
"""

from reflections.urls_flow import urlpatterns as flow_urlpatterns
from reflections.urls_practice import urlpatterns as practice_urlpatterns

app_name = "reflections"

urlpatterns = [*flow_urlpatterns, *practice_urlpatterns]
