"""One item representation from the read to the render (issue 12 point 4): the JSON object the
inside-REAPER read returns has exactly the fields of reaper_assist.items, the host builds those
dataclasses of it, and media renders the very objects the host returned, with nothing between."""

from __future__ import annotations

import dataclasses
import shutil

from reaper_assist.app import track_audio
from reaper_assist.bridge import remote
from reaper_assist.host.inprocess import InProcessHost
from reaper_assist.items import ItemState, SectionState, TakeState
from tests.conftest import RPP_DIR

FIXTURE = "griffinsauce_with-external-files.rpp"


def names(cls) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def test_the_read_returns_exactly_the_fields_of_the_item_and_take(tmp_path):
    shutil.copy(RPP_DIR / FIXTURE, tmp_path / FIXTURE)
    host = InProcessHost.open(str(tmp_path / FIXTURE))
    raw = remote.read_state_with(host.api)
    items = [it for t in raw["tracks"] for it in t["items"]]
    takes = [it["take"] for it in items if it["take"]]
    assert len(items) > 40 and takes
    assert all(set(it) == names(ItemState) for it in items)
    assert all(set(t) == names(TakeState) for t in takes)
    assert all(set(t["section"]) == names(SectionState) for t in takes if t["section"])
    state = host.read_state()
    assert [dataclasses.asdict(it) for t in state.tracks for it in t.items] == items


def test_media_renders_the_items_the_host_returned(tmp_path, monkeypatch):
    shutil.copy(RPP_DIR / FIXTURE, tmp_path / FIXTURE)
    track = next(t for t in InProcessHost.open(str(tmp_path / FIXTURE)).read_state().tracks
                 if t.items and not all(it.take is not None and it.take.is_midi for it in t.items))
    seen = []
    real = track_audio.render_items
    monkeypatch.setattr(track_audio, "render_items", lambda items, **kw: seen.append(items) or real(items, **kw))
    track_audio.pre_fx_audio(track, 48000)
    assert len(seen) == 1 and len(seen[0]) == len(track.items)
    assert all(a is b for a, b in zip(seen[0], track.items))
