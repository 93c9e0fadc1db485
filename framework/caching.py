"""Values computed only from one framework version, kept in the shared cache.

The framework changes only when a data file is loaded, and a loaded version never changes
afterwards (a changed file makes a new version with a new content hash). So anything computed
from a version alone — explorer pages' data, the evidence map, the evidence parts of My
practice — can be cached under that version's content hash with no invalidation: a new load
brings a new hash, and the old entries simply age out.

Never cache anything here that depends on a person or on reflections: this cache is shared
by everyone (Redis when `REDIS_URL` is set, so all app servers share it too).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

from framework.models import FrameworkVersion

T = TypeVar("T")

# Bump when the shape of a cached value changes in code outside the framework app (whose own
# changes code_fingerprint() notices), so a deploy never reads a value pickled by older code.
CACHE_SCHEMA = 1
# Entries are immutable, so they can live long; the timeout only bounds memory for old versions.
VERSION_CACHE_SECONDS = 7 * 24 * 60 * 60


@functools.cache
def code_fingerprint() -> str:
    """A short hash of the code that works out and renders what is kept here.

    The framework app's modules and the explorer's templates: a deploy that changes how a
    page is drawn or worded then reads new entries at once, rather than the old code's output
    until it ages out. Code elsewhere that caches here still bumps CACHE_SCHEMA by hand.
    """
    base = Path(settings.BASE_DIR)
    files = sorted(
        [*(base / "framework").glob("*.py"), *(base / "templates" / "framework").rglob("*.html")]
    )
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(base).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def version_cache_key(version: FrameworkVersion, name: str) -> str:
    """The cache key of `name` computed from `version`'s content alone.

    The version's id is part of it as well as its hash: values hold row ids (of contexts,
    factors, links), and a database rebuilt beside the same Redis loads the same content
    under new ids.
    """
    return (
        f"framework:{CACHE_SCHEMA}:{code_fingerprint()}:{version.content_hash}:{version.pk}:{name}"
    )


def cached_for_version(version: FrameworkVersion, name: str, compute: Callable[[], T]) -> T:
    """`compute()`'s value for `version`, from the shared cache when it is there.

    `compute` must depend on nothing but `version` (and code): the key is the version's
    content hash and `name`. A None from `compute` is returned but not kept.
    """
    key = version_cache_key(version, name)
    value = cache.get(key)
    if value is None:
        value = compute()
        # None (e.g. "no such context", for a key typed into an address) is never kept, so
        # requests for things that do not exist cannot fill the cache.
        if value is not None:
            cache.set(key, value, VERSION_CACHE_SECONDS)
    return value  # type: ignore[no-any-return]
