"""Settings for the load benchmark only: the production settings plus a bare signed-in view.

    DJANGO_SETTINGS_MODULE=bench.settings (set by bench/load_benchmark.py for its gunicorn)

Production runs appear_site.settings, whose URLconf has no bare view, so the view is never
reachable there.
"""

from appear_site.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
