"""`build --pdf`: LibreOffice profiles kept between builds, and a large batch shared between processes."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from casegen.batch import pdf
from helpers import run, soffice_path


def fake_soffice(calls: list):
    def soffice(command, **kwargs):
        calls.append(command)
        outdir = Path(command[command.index("--outdir") + 1])
        outdir.mkdir(parents=True, exist_ok=True)
        profile = Path(next(a for a in command if a.startswith("-env:UserInstallation=")).split("file://", 1)[1])
        profile.mkdir(parents=True, exist_ok=True)  # as LibreOffice makes it on its first start
        for doc in command[command.index(str(outdir)) + 1:]:
            (outdir / (Path(doc).stem + ".pdf")).write_bytes(b"%PDF-1.7 fake")
        return subprocess.CompletedProcess(command, 0, "", "")
    return soffice


@pytest.fixture
def twenty(tmp_path):
    """Twenty documents in an output folder (their content is LibreOffice's business: the fake reads none)."""
    out = tmp_path / "out"
    out.mkdir()
    docs = [out / f"case-{n:02}.docx" for n in range(20)]
    for doc in docs:
        doc.write_bytes(b"PK a document")
    return docs


def profiles(calls) -> list[str]:
    return [next(a for a in c if a.startswith("-env:UserInstallation=")) for c in calls if "--convert-to" in c]


def test_a_batch_is_shared_between_the_processes_allowed_and_a_few_documents_take_one():
    docs = [Path(f"d{n}.docx") for n in range(20)]
    assert [len(g) for g in pdf.batches(docs, jobs=2)] == [10, 10]
    assert sorted(d for g in pdf.batches(docs, jobs=2) for d in g) == sorted(docs)
    assert [len(g) for g in pdf.batches(docs[:3], jobs=8)] == [3]
    assert [len(g) for g in pdf.batches(docs, jobs=1)] == [20]
    assert len(pdf.batches(docs * 10, jobs=100)) == pdf.PROFILE_SLOTS


def test_twenty_documents_in_two_processes_each_with_a_profile_kept_in_the_cache(twenty, monkeypatch):
    calls: list = []
    monkeypatch.setattr("casegen.batch.pdf.find_soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr("casegen.batch.pdf.subprocess.run", fake_soffice(calls))
    out = twenty[0].parent
    result = pdf.convert(twenty, out, jobs=2)
    assert result.ok and sorted(result.made) == sorted(d.with_suffix(".pdf") for d in twenty)
    assert len(calls) == 2 and sum(a.endswith(".docx") for c in calls for a in c) == 20
    cache = Path(os.environ["CASEGEN_CACHE"]) / "libreoffice"
    assert len(set(profiles(calls))) == 2 and all(str(cache) in p for p in profiles(calls))
    first = set(profiles(calls))
    calls.clear()
    assert pdf.convert(twenty, out, jobs=2).ok
    assert set(profiles(calls)) == first  # the same profiles again: LibreOffice need not build new ones
    assert not list(out.glob(".casegen-pdf-*"))


def test_build_pdf_hands_the_jobs_to_the_conversion(make_form, tmp_path, monkeypatch):
    asked = []
    monkeypatch.setattr("casegen.batch.pdf.convert", lambda docs, out, jobs=1: asked.append(jobs) or pdf.PdfResult())
    make_form("bcl-service-optimisation", filename="inputs/a.xlsx")
    assert run("build", tmp_path / "inputs", "-o", tmp_path / "out", "--pdf", "-j", "2").exit_code == 0
    assert asked == [2]


def test_a_profile_in_use_by_another_build_is_not_shared(twenty, monkeypatch):
    from filelock import FileLock

    calls: list = []
    monkeypatch.setattr("casegen.batch.pdf.find_soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr("casegen.batch.pdf.subprocess.run", fake_soffice(calls))
    home = pdf.profile_home()
    home.mkdir(parents=True, exist_ok=True)
    held = [FileLock(str(home / f"profile-{n}.lock")) for n in range(pdf.PROFILE_SLOTS)]
    for lock in held:
        lock.acquire()
    try:
        assert pdf.convert(twenty, twenty[0].parent, jobs=1).ok
    finally:
        for lock in held:
            lock.release()
    assert len(calls) == 1 and str(home) not in profiles(calls)[0]  # a throwaway profile beside the output
    assert not list(twenty[0].parent.glob(".casegen-pdf-*"))


@pytest.mark.slow
def test_a_second_pdf_build_reuses_the_profile_libreoffice_made(make_form, tmp_path):
    if not soffice_path():
        pytest.skip("LibreOffice (soffice) is not installed: .ci/run installs libreoffice-writer-nogui")
    make_form("bcl-service-optimisation", filename="inputs/a.xlsx")
    out = tmp_path / "out"
    assert run("build", tmp_path / "inputs", "-o", out, "--pdf").exit_code == 0
    made = [p for p in pdf.profile_home().glob("profile-*") if p.is_dir()]
    assert made and any((p / "user").is_dir() for p in made)
    (out / "a.pdf").unlink()
    assert run("build", tmp_path / "inputs", "-o", out, "--pdf").exit_code == 0
    assert (out / "a.pdf").read_bytes().startswith(b"%PDF")
    # the profile names the version that used it, so LibreOffice skipped its start-up self-tests (no log of them)
    used = [p for p in made if (p / "user" / "registrymodifications.xcu").is_file()]
    assert used and all('oor:name="ooSetupLastVersion"' in (p / "user" / "registrymodifications.xcu").read_text()
                        for p in used)
    assert not any((p / "user" / "GraphicsRenderTests.log").exists() for p in used)


SETTINGS = ('<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry">\n'
            '<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse">'
            '<value>false</value></prop></item>\n</oor:items>')


def self_testing_soffice(calls: list, version: str = "LibreOffice 7.4.7.2 40(Build:2)"):
    """A LibreOffice that, as 7.2 and later do, runs its start-up self-tests (and leaves their log) whenever the
    profile does not name its version as the last one that ran it."""
    convert = fake_soffice(calls)

    def soffice(command, **kwargs):
        if command[1:] == ["--version"]:
            calls.append(command)
            return subprocess.CompletedProcess(command, 0, version + "\n", "")
        done = convert(command, **kwargs)
        user = Path(next(a for a in command if a.startswith("-env:UserInstallation=")).split("file://", 1)[1]) / "user"
        user.mkdir(exist_ok=True)
        settings = user / "registrymodifications.xcu"
        if not settings.exists():
            settings.write_text(SETTINGS, encoding="utf-8")
        if "<value>7.4</value>" not in settings.read_text(encoding="utf-8"):
            (user / "GraphicsRenderTests.log").write_text("Passed Tests: 66\n")
        return done
    return soffice


def test_a_kept_profile_is_told_the_version_so_libreoffice_skips_its_self_tests_from_the_second_build(
        twenty, monkeypatch):
    calls: list = []
    monkeypatch.setenv("CASEGEN_CACHE", str(twenty[0].parent.parent / "cache"))  # a profile of its own
    monkeypatch.setattr("casegen.batch.pdf.find_soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr("casegen.batch.pdf.subprocess.run", self_testing_soffice(calls))
    assert pdf.convert(twenty, twenty[0].parent, jobs=1).ok
    assert [c[1:] for c in calls if "--version" in c] == [["--version"]]  # asked once, after the tests ran
    profile = Path(profiles(calls)[0].split("file://", 1)[1])
    settings = (profile / "user" / "registrymodifications.xcu").read_text(encoding="utf-8")
    assert settings.count('oor:name="ooSetupLastVersion"') == 1 and "<value>7.4</value>" in settings
    assert '<prop oor:name="FirstRun"' in settings  # LibreOffice's own settings kept
    assert not (profile / "user" / "GraphicsRenderTests.log").exists()
    calls.clear()
    assert pdf.convert(twenty, twenty[0].parent, jobs=1).ok
    assert len(calls) == 1 and "--version" not in calls[0]  # no self-tests ran, so nothing to record
    assert not (profile / "user" / "GraphicsRenderTests.log").exists()


def test_a_profile_is_left_as_it_is_when_the_version_cannot_be_known(twenty, monkeypatch):
    calls: list = []
    monkeypatch.setenv("CASEGEN_CACHE", str(twenty[0].parent.parent / "cache"))  # a profile of its own
    monkeypatch.setattr("casegen.batch.pdf.find_soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr("casegen.batch.pdf.subprocess.run", self_testing_soffice(calls, version="soffice"))
    assert pdf.convert(twenty, twenty[0].parent, jobs=1).ok
    profile = Path(profiles(calls)[0].split("file://", 1)[1])
    assert (profile / "user" / "registrymodifications.xcu").read_text(encoding="utf-8") == SETTINGS
    assert (profile / "user" / "GraphicsRenderTests.log").exists()  # tried again by the next build


def test_a_profile_an_older_libreoffice_used_is_told_the_new_version_once(tmp_path, monkeypatch):
    user = tmp_path / "profile" / "user"
    user.mkdir(parents=True)
    old = ('<item oor:path="/org.openoffice.Setup/Product"><prop oor:name="ooSetupLastVersion" oor:op="fuse">'
           "<value>7.3</value></prop></item>\n")
    (user / "registrymodifications.xcu").write_text(SETTINGS.replace("</oor:items>", old + "</oor:items>"))
    (user / "GraphicsRenderTests.log").write_text("Passed Tests: 66\n")  # 7.4 ran its self-tests: upgraded
    calls: list = []
    monkeypatch.setattr("casegen.batch.pdf.subprocess.run", self_testing_soffice(calls))
    pdf.settle("/usr/bin/soffice", tmp_path / "profile")
    settings = (user / "registrymodifications.xcu").read_text(encoding="utf-8")
    assert settings.count("ooSetupLastVersion") == 1 and "<value>7.4</value>" in settings
    assert "<value>7.3</value>" not in settings and '<prop oor:name="FirstRun"' in settings
    assert not (user / "GraphicsRenderTests.log").exists()
