"""pytest plugin loaded before Django: the settings the test suite runs with.

Loaded with `-p tests.environment` so it runs before pytest-django reads the settings.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-any-real-deployment")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("WHITENOISE_USE_FINDERS", "true")
os.environ.setdefault("STATIC_MANIFEST", "false")
os.environ.setdefault("FAST_PASSWORD_HASHING", "true")
