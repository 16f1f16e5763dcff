from __future__ import annotations

from corpus import known_sources
from ingest.detect import loaders


def test_every_known_source_names_a_real_loader() -> None:
    names = {loader.name for loader in loaders()}
    known = known_sources()
    assert len(known) >= 12
    for source in known:
        assert source.loader in names, source.name
        assert source.offered_at and source.licence and source.version
    packaged = {s.name for s in known if s.packaged}
    assert packaged == {"icd10cm-tabular", "icd9cm-gems"}
