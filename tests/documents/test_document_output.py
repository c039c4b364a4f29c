"""Writing PDF and DOCX files: fonts, atomic replacement, errors and lazy imports."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

import docx
import pypdf
import pytest

from clinic_tui.documents import (
    BulletList,
    Heading,
    Lines,
    LetterKind,
    OutputProblem,
    Paragraph,
    RenderedDocument,
    Table,
    UnsupportedCharacters,
    preview_text,
    render_letter,
    write_docx,
    write_pdf,
)

ROOT = Path(__file__).resolve().parents[2]


def sample_document(*texts: str) -> RenderedDocument:
    return RenderedDocument(title="Sample", blocks=(Heading("Sample"), *(Paragraph(text) for text in texts)))


def test_fonts_and_licence_are_package_data():
    fonts = resources.files("clinic_tui.documents") / "fonts"

    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        assert (fonts / name).read_bytes()[:4] == b"\x00\x01\x00\x00"
    assert "Bitstream Vera" in (fonts / "LICENSE-DejaVu.txt").read_text("utf-8")


def test_pdf_embeds_dejavu_font(tmp_path):
    path = write_pdf(sample_document("Zoë Nguyễn"), tmp_path / "sample.pdf")

    fonts = pypdf.PdfReader(path).pages[0]["/Resources"]["/Font"]
    base_fonts = [str(font.get_object()["/BaseFont"]) for font in fonts.values()]
    assert any("DejaVuSans" in name for name in base_fonts)
    descriptor = fonts[next(iter(fonts))].get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
    assert "/FontFile2" in descriptor.get_object()


def test_decomposed_accents_print_composed(docs, tmp_path):
    # "Zoë" and "Nguyễn" typed with combining marks after the base letters.
    decomposed = "Zoe\u0308 Nguye\u0302\u0303n"

    path = write_pdf(sample_document(decomposed), tmp_path / "names.pdf")

    assert "Zoë Nguyễn" in docs.pdf_text(path)


def test_unsupported_characters_named(docs, tmp_path):
    document = sample_document("Dear 李小龍,")
    target = tmp_path / "letter.pdf"

    with pytest.raises(UnsupportedCharacters) as caught:
        write_pdf(document, target)

    assert caught.value.characters == ["李", "小", "龍"]
    message = str(caught.value)
    assert "'李' (U+674E)" in message
    assert "Write the letter as DOCX instead" in message
    assert not target.exists()
    assert "李小龍" in docs.docx_text(write_docx(document, tmp_path / "letter.docx"))


def test_write_replaces_file_atomically(docs, tmp_path):
    target = tmp_path / "letter.pdf"
    write_pdf(sample_document("First version."), target)

    write_pdf(sample_document("Second version."), target)

    assert "Second version." in docs.pdf_text(target)
    assert [path.name for path in tmp_path.iterdir()] == ["letter.pdf"]
    assert target.stat().st_mode & 0o077 == 0


def test_failed_write_keeps_earlier_file(docs, tmp_path):
    target = tmp_path / "letter.pdf"
    write_pdf(sample_document("First version."), target)

    with pytest.raises(UnsupportedCharacters):
        write_pdf(sample_document("李"), target)

    assert "First version." in docs.pdf_text(target)
    assert [path.name for path in tmp_path.iterdir()] == ["letter.pdf"]


@pytest.mark.parametrize("writer", [write_pdf, write_docx])
def test_missing_folder_named(writer, tmp_path):
    target = tmp_path / "no such folder" / "letter.out"

    with pytest.raises(OutputProblem, match=f"the folder {tmp_path / 'no such folder'} does not exist"):
        writer(sample_document("Text."), target)


@pytest.mark.parametrize("writer", [write_pdf, write_docx])
def test_folder_as_target_rejected(writer, tmp_path):
    with pytest.raises(OutputProblem, match="is a folder"):
        writer(sample_document("Text."), tmp_path)


def test_docx_keeps_line_groups_and_tables(docs, tmp_path):
    document = RenderedDocument(
        title="Blocks",
        blocks=(
            Lines(("Riverside Academy", "1 River Lane")),
            BulletList(("First", "Second")),
            Table((("What", "Who"), ("Set an alarm", "Mum")), header=True),
        ),
        footer="Record 42",
    )

    path = write_docx(document, tmp_path / "blocks.docx")

    word = docx.Document(str(path))
    assert word.paragraphs[0].text == "Riverside Academy\n1 River Lane"
    assert [p.text for p in word.paragraphs if p.style.name == "List Bullet"] == ["First", "Second"]
    table = word.tables[0]
    assert [cell.text for cell in table.rows[1].cells] == ["Set an alarm", "Mum"]
    assert table.rows[0].cells[0].paragraphs[0].runs[0].bold is True
    assert "Record 42" in docs.docx_text(path)
    assert word.core_properties.title == "Blocks"
    assert word.sections[0].page_width.mm == pytest.approx(210, abs=0.1)


def test_preview_fits_width(context):
    document = render_letter(LetterKind.MEETING_SUMMARY, context)

    for width in (40, 72):
        text = preview_text(document, width=width)
        assert max(len(line) for line in text.splitlines()) <= width


def test_preview_narrow_table_stacks_rows():
    document = RenderedDocument(
        title="T",
        blocks=(Table((("What", "Who"), ("Set an alarm for seven every school morning", "Mum")), header=True),),
    )

    text = preview_text(document, width=30)

    assert "What: Set an alarm for seven" in text
    assert "Who: Mum" in text


def test_preview_rejects_tiny_width():
    with pytest.raises(ValueError, match="preview width 5 is too narrow"):
        preview_text(sample_document("x"), width=5)


def _imported_after(code: str) -> set[str]:
    probe = code + "\nimport sys\nprint(','.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(result.stdout.strip().split(","))


def test_package_import_is_lazy():
    loaded = _imported_after("import clinic_tui.documents")

    assert loaded.isdisjoint({"jinja2", "fpdf", "docx", "fontTools"})


def test_rendering_imports_no_writers():
    code = (
        "import datetime as dt\n"
        "from clinic_tui.documents import render_letter, preview_text\n"
        "from clinic_tui.documents.context import *\n"
        "from clinic_tui.domain.pupil import Contact\n"
        "figures = AttendanceFigures(90.0, 100, 10, 0)\n"
        "family = Family((FamilyPupil('A B', 'A', '5', figures),), (Contact('C', telephone='1'),))\n"
        "context = LetterContext(School('S'), Officer('O', telephone='2'), family, dt.date(2026, 1, 5),\n"
        "    meeting=MeetingDetails(dt.date(2026, 1, 9), dt.time(9), 'Room 1'))\n"
        "preview_text(render_letter('invitation', context))\n"
    )

    loaded = _imported_after(code)

    assert "jinja2" in loaded
    assert loaded.isdisjoint({"fpdf", "docx", "fontTools"})


@pytest.mark.slow
def test_wheel_carries_fonts_and_templates(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
        check=True,
    )
    wheel = next(tmp_path.glob("clinic_day-*.whl"))

    names = set(zipfile.ZipFile(wheel).namelist())

    for name in (
        "fonts/DejaVuSans.ttf",
        "fonts/DejaVuSans-Bold.ttf",
        "fonts/LICENSE-DejaVu.txt",
        *(f"templates/{kind.template_name}" for kind in LetterKind),
    ):
        assert f"clinic_tui/documents/{name}" in names
