"""Issue 18 point 1: the report of the demo session processed by every action is one self-contained
page (no network: every image a data URI) that real headless Chromium (Debian's, .ci/apt-packages-
report.txt) loads with no console error and every image decoded; its text version says what the
records say, with units spelled out. A screenshot is left in the test's tmp folder."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from reaper_assist.cli import main
from reaper_assist.reporting.collect import load_records
from tests import background

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# flags from the machine notes: no sandbox as root, no GPU, no background connections (closed network)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000"]
# the test's own probe, appended to a copy of the page: counts decoded images, catches errors
PROBE = ("<script>var errs=[];window.addEventListener('error',function(e){errs.push(String(e.message))});"
         "window.addEventListener('load',function(){var im=document.images,ok=0;for(var i=0;i<im.length;i++)"
         "{if(im[i].complete&&im[i].naturalWidth>0)ok++}document.title='probe '+ok+'/'+im.length+' errors '+"
         "errs.length})</script>")


def build_report(processed, tmp) -> tuple[int, object]:
    """(the CLI's exit status, the page) of the processed session's report; run ahead by
    tests/background.py after the session."""
    out = tmp / "report.html"
    return main(["report", "--project", str(processed.processed), "--out", str(out)]), out


@pytest.fixture(scope="module")
def report(processed, tmp_path_factory, request):
    if not shutil.which("chromium") and not shutil.os.path.exists(CHROMIUM):  # a missing dependency fails loudly
        raise RuntimeError("chromium is not installed (Debian package chromium, .ci/apt-packages-report.txt)")
    rc, out = background.result(request.config, "report-page") or build_report(processed, tmp_path_factory.mktemp("report"))
    assert rc == 0
    return out


def _chromium(args, tmp_path):
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
                          capture_output=True, text=True, timeout=120)


def test_page_is_self_contained(report):
    page = report.read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//|file:)""", page)
    imgs = re.findall(r'<img src="([^"]+)"', page)
    assert imgs and all(s.startswith("data:image/png;base64,") for s in imgs)
    # per track: a spectrum with the EQ curve where there is an EQ, gain reduction, envelopes
    assert 'alt="Spectrum of Keys before and after, with the EQ curve"' in page
    assert 'alt="Gain reduction of reaper-assist&#x27;s dynamics plugins on Kick over time"' in page
    assert 'alt="reaper-assist&#x27;s envelopes on Kick over its waveform"' in page


def test_chromium_renders_every_image_without_errors(report, tmp_path):
    probed = report.with_name("probed.html")
    probed.write_text(report.read_text().replace("</body>", PROBE + "</body>"))
    r = _chromium(["--dump-dom", probed.as_uri()], tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    n = len(re.findall(r"<img ", report.read_text()))
    assert f"<title>probe {n}/{n} errors 0</title>" in r.stdout
    console = [ln for ln in r.stderr.splitlines() if "CONSOLE" in ln]
    assert console == []
    shot = tmp_path / "report.png"
    r = _chromium([f"--screenshot={shot}", "--window-size=1200,2400", report.as_uri()], tmp_path)
    assert r.returncode == 0 and shot.stat().st_size > 10_000, r.stderr[-2000:]


# the text version's words back to the record's symbols (the test's own table, not the product's)
WORDS = [("minus infinity", "-inf"), (" decibels full scale", "dBFS"), (" decibels true peak", "dBTP"), (" decibels", "dB"),
         (" loudness units full scale", "LUFS"), (" loudness units", "LU"), (" hertz", "Hz"),
         (" milliseconds", "ms"), (" octaves", "oct"), (" seconds", "s"), ("plus ", "+"), ("minus ", "-")]


def _symbols(text: str) -> str:
    for w, sym in WORDS:
        text = text.replace(w, sym)
    return re.sub(r"\s+", "", text)


def _squeezed(text: str) -> str:
    """A record's text as the words-to-symbols text compares it ("->" is read out as "to")."""
    return re.sub(r"\s+", "", text.replace("->", " to "))


def test_text_version_matches_the_records(processed, report):
    from reaper_assist.emulator.project import Project

    text = report.with_suffix(".txt").read_text()
    plain = _symbols(text)
    records = load_records(Project.load(str(processed.processed)))
    assert set(records) >= {"gain-stage", "auto-eq", "unmask", "auto-compress", "ride", "master"}
    n = 0
    for action, r in records.items():
        assert _squeezed(f"Action {action}: {r['status']}, {r['message']}") in plain, action
        for t in r["tracks"]:
            assert f"Track {t['name']}." in text
            assert t["guid"], (action, t["name"])  # a track the action added has the GUID REAPER gave it
            assert _squeezed(f"Action {action}: {t['status']}. Why: {t['reason']}") in plain
        for c in r["changes"]:
            if not c["track_guid"]:
                continue
            assert _squeezed(f"Written: {c['what']}") in plain, c["what"]
            n += 1
    assert n > 100
    assert "Written: take volume (item 1): 1 to " in text  # gain-stage's take volume, old to new
    assert " dB" not in text and "decibels" in text  # units spelled out
    assert "|" not in text  # no tables of symbols
