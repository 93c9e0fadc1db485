"""The import upload, fuzzed: whatever file arrives, the page answers, and a refusal changes nothing.

The sweep in test_every_url.py posts form fields; this one posts files through the real page
(multipart, as a browser would): random bytes, damaged copies of a real export, and ZIPs whose
export.json has a generated value at a random place or whose member names are hostile.
"""

from __future__ import annotations

import io
import json
import os
import random
import tempfile
import zipfile
from pathlib import Path
from typing import Any, ClassVar

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from accounts.models import Membership
from datarights import export
from reflections.models import Reflection
from tests.base import make_member
from tests.datarights.support import DataRightsTestCase
from tests.datarights.test_import import counts

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("FUZZ_IMPORT_EXAMPLES", "60"))

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
MEMBER_NAMES = st.sampled_from(
    ["../evil.json", "/etc/passwd", "a/../../b", "README.txt", "pdfs/1.pdf", "export.json", "é/ü"]
) | st.text(min_size=1, max_size=20)


def replace_somewhere(document: Any, value: Any, chooser: random.Random) -> Any:
    """`document` with one randomly chosen value (at any depth) replaced by `value`."""
    if isinstance(document, dict) and document and chooser.random() < 0.7:
        key = chooser.choice(sorted(document))
        return {**document, key: replace_somewhere(document[key], value, chooser)}
    if isinstance(document, list) and document and chooser.random() < 0.7:
        index = chooser.randrange(len(document))
        copy = list(document)
        copy[index] = replace_somewhere(document[index], value, chooser)
        return copy
    return value


def zip_of(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()


class ImportUploadFuzzTests(DataRightsTestCase, HypothesisTestCase):
    document: ClassVar[dict[str, Any]]
    archive: ClassVar[bytes]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        make_member(cls.p.alice, cls.p.hillside, Membership.Role.PEER_WORKER)
        path = Path(tempfile.mkdtemp()) / "export.zip"
        cls.document = export.write_zip(user=cls.p.alice, path=path, with_pdfs=False)
        cls.archive = path.read_bytes()
        path.unlink()

    def files(self) -> st.SearchStrategy[bytes]:
        real = self.archive
        damaged = st.tuples(
            st.integers(min_value=0, max_value=len(real) - 1), st.binary(min_size=1, max_size=8)
        ).map(lambda cut: real[: cut[0]] + cut[1] + real[cut[0] + len(cut[1]) :])
        truncated = st.integers(min_value=0, max_value=len(real)).map(lambda n: real[:n])
        mutated = st.tuples(JSON, st.randoms(use_true_random=False)).map(
            lambda pair: zip_of(
                [
                    (
                        "export.json",
                        json.dumps(replace_somewhere(self.document, pair[0], pair[1])).encode(),
                    )
                ]
            )
        )
        hostile_names = st.lists(
            st.tuples(MEMBER_NAMES, st.binary(max_size=64)), min_size=1, max_size=4
        ).map(
            lambda members: zip_of([("export.json", json.dumps(self.document).encode()), *members])
        )
        return st.one_of(st.binary(max_size=2048), damaged, truncated, mutated, hostile_names)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def test_any_uploaded_file_is_imported_or_refused_beside_the_field_never_a_500(
        self, data: st.DataObject
    ) -> None:
        content = data.draw(self.files(), label="file")
        upload = io.BytesIO(content)
        upload.name = data.draw(st.sampled_from(["export.zip", "x", "../../x.zip"]), label="name")
        client = self.p.client_for(self.p.alice)
        with transaction.atomic():
            before = counts()
            response = client.post(
                reverse("datarights:import"),
                {"archive": upload, "organisation": self.p.hillside.pk},
            )
            assert response.status_code in (200, 302), response.status_code
            if response.status_code == 200:
                assert counts() == before, "a refused import changed the database"
            else:
                imported = Reflection.objects.filter(organisation=self.p.hillside)
                assert set(imported.values_list("author", flat=True)) <= {self.p.alice.pk}
                assert not imported.filter(shares__isnull=False).exists()
            transaction.set_rollback(True)
