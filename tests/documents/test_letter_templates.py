"""User templates: overriding the built-in letters, and errors that name file, line and variable."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from clinic_tui.documents import (
    Heading,
    LetterKind,
    Paragraph,
    School,
    TemplateProblem,
    preview_text,
    render_letter,
    render_letters,
)
from clinic_tui.documents.letter_values import letter_values


def write_template(folder, name: str, text: str):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_user_template_overrides_built_in(context, tmp_path):
    write_template(tmp_path, "invitation.txt", "# Our own heading for {{ family.pupil_names }}\n\nSee you soon.\n")

    invitation = render_letter(LetterKind.INVITATION, context, template_dir=tmp_path)
    rearranged = render_letter(LetterKind.REARRANGED, context, template_dir=tmp_path)

    assert invitation.blocks == (Heading("Our own heading for Zoë and Łukasz"), Paragraph("See you soon."))
    assert "has moved to a new time" in preview_text(rearranged)


def test_syntax_error_names_file_and_line(context, tmp_path):
    path = write_template(tmp_path, "invitation.txt", "# Hello\n\nDear {{ family.greeting\n\nBye.\n")

    with pytest.raises(TemplateProblem) as caught:
        render_letter(LetterKind.INVITATION, context, template_dir=tmp_path)

    problem = caught.value
    assert problem.template == str(path.resolve())
    assert problem.line == 3
    assert problem.source_line == "Dear {{ family.greeting"
    message = str(problem)
    assert f"{path.resolve()}, line 3" in message
    assert "invalid template syntax" in message
    assert "found at line 5, but the tag opened here is not closed" in message
    assert "'Dear {{ family.greeting'" in message
    assert "delete it to use the built-in letter" in message


def test_unclosed_block_names_file(context, tmp_path):
    path = write_template(tmp_path, "invitation.txt", "{% if large_print %}\nBig.\n")

    with pytest.raises(TemplateProblem) as caught:
        render_letter(LetterKind.INVITATION, context, template_dir=tmp_path)

    assert caught.value.template == str(path.resolve())
    assert "endif" in str(caught.value)


def test_undefined_variable_names_line_and_variable(context, tmp_path):
    path = write_template(tmp_path, "invitation.txt", "# Title\n\nText.\n\nDear {{ famly.greeting }},\n")

    with pytest.raises(TemplateProblem) as caught:
        render_letter(LetterKind.INVITATION, context, template_dir=tmp_path)

    problem = caught.value
    assert problem.template == str(path.resolve())
    assert problem.line == 5
    assert problem.variable == "famly"
    message = str(problem)
    assert f"{path.resolve()}, line 5: the variable 'famly' is not defined" in message
    assert "The names available at the top level are:" in message
    assert "family" in message


def test_misspelt_attribute_names_dotted_path(context, tmp_path):
    write_template(tmp_path, "invitation.txt", "Hello.\n{% if true %}\nDear {{ family.greetin }},\n{% endif %}\n")

    with pytest.raises(TemplateProblem) as caught:
        render_letter(LetterKind.INVITATION, context, template_dir=tmp_path)

    problem = caught.value
    assert problem.line == 3
    assert problem.variable == "family.greetin"
    assert "The names available at family are: address_lines, carer_names," in str(problem)
    assert "greeting" in str(problem)


def test_undefined_inside_loop_names_line(context, tmp_path):
    text = "Intro.\n\n{% for pupil in family.pupils %}\n- {{ pupil.name }}\n- {{ pupil.yaer }}\n{% endfor %}\n"
    write_template(tmp_path, "meeting_summary.txt", text)

    with pytest.raises(TemplateProblem) as caught:
        render_letter(LetterKind.MEETING_SUMMARY, context, template_dir=tmp_path)

    assert caught.value.line == 5
    assert caught.value.variable == "pupil.yaer"
    assert "Check the spelling against the list of values at the top of the template." in str(caught.value)


def test_undefined_value_in_condition(context, tmp_path):
    write_template(tmp_path, "invitation.txt", "A.\nB.\n{% if family.speaks_welsh %}\nC.\n{% endif %}\n")

    with pytest.raises(TemplateProblem) as caught:
        render_letter(LetterKind.INVITATION, context, template_dir=tmp_path)

    assert caught.value.line == 3
    assert caught.value.variable == "family.speaks_welsh"


def test_failing_expression_names_line(context, tmp_path):
    write_template(tmp_path, "invitation.txt", "A.\n{{ 1 / 0 }}\n")

    with pytest.raises(TemplateProblem) as caught:
        render_letter(LetterKind.INVITATION, context, template_dir=tmp_path)

    assert caught.value.line == 2
    assert "ZeroDivisionError" in str(caught.value)


def test_sandbox_blocks_unsafe_access(context, tmp_path):
    write_template(tmp_path, "invitation.txt", "A.\n\n{{ meeting_name.__class__.__mro__ }}\n")

    with pytest.raises(TemplateProblem) as caught:
        render_letter(LetterKind.INVITATION, context, template_dir=tmp_path)

    assert caught.value.line == 3


def test_template_text_saying_clinic_rejected(context, tmp_path):
    text = "# {{ meeting_name }}\n\nPlease come.\n\nThe attendance Clinic is on Monday.\n"
    path = write_template(tmp_path, "invitation.txt", text)

    with pytest.raises(TemplateProblem) as caught:
        render_letter(LetterKind.INVITATION, context, template_dir=tmp_path)

    assert caught.value.template == str(path.resolve())
    assert caught.value.line == 5
    assert "calls the meeting a clinic" in str(caught.value)


def test_value_containing_clinic_allowed(context, tmp_path):
    school = School("Riverside Academy", ("Clinic Lane", "Leeds"))

    text = preview_text(render_letter(LetterKind.INVITATION, context.__class__(**{**vars(context), "school": school})))

    assert "Clinic Lane" in text


def test_template_not_utf8_names_line(context, tmp_path):
    (tmp_path / "invitation.txt").write_bytes(b"# Title\n\nCaf\xe9 au lait.\n")

    with pytest.raises(TemplateProblem) as caught:
        render_letter(LetterKind.INVITATION, context, template_dir=tmp_path)

    assert caught.value.line == 3
    assert "Save the file as UTF-8" in str(caught.value)


def test_template_with_no_text_rejected(context, tmp_path):
    write_template(tmp_path, "invitation.txt", "{# nothing yet #}\n")

    with pytest.raises(TemplateProblem, match="produced no text"):
        render_letter(LetterKind.INVITATION, context, template_dir=tmp_path)


def test_missing_template_folder_rejected(context, tmp_path):
    with pytest.raises(TemplateProblem, match="template folder does not exist"):
        render_letter(LetterKind.INVITATION, context, template_dir=tmp_path / "missing")


def test_batch_stops_at_template_error(docs, tmp_path):
    write_template(tmp_path, "invitation.txt", "{{ family.pupils[0].nickname }}\n")

    with pytest.raises(TemplateProblem) as caught:
        render_letters(LetterKind.INVITATION, [docs.make_context(), docs.make_context()], template_dir=tmp_path)

    assert caught.value.variable == "nickname"
    assert "Check the spelling against the list of values" in str(caught.value)


def _documented_names(values: dict[str, object], prefix: str = "") -> set[str]:
    names = set()
    for key, value in values.items():
        names.add(f"{prefix}{key}")
        if isinstance(value, dict) and prefix == "":
            names.update(_documented_names(value, f"{key}."))
    return names


@pytest.mark.parametrize("kind", list(LetterKind))
def test_built_in_template_documents_values(kind, docs):
    """Check the comment at the top of each built-in template names every value a template gets."""
    source = (resources.files("clinic_tui.documents") / "templates" / kind.template_name).read_text("utf-8")
    comment = source[source.index("{#") : source.index("#}")]
    values = letter_values(docs.make_context(previous_meeting=docs.make_context().meeting))

    missing = []
    for name in sorted(_documented_names(values)):
        parent, _, leaf = name.rpartition(".")
        # Nested names are documented either in full or as a list under their parent.
        if name not in comment and not (parent and re.search(rf"\b{re.escape(leaf)}\b", comment)):
            missing.append(name)
    assert missing == []
    for heading in ("HOW LINES BECOME THE LETTER", "VALUES"):
        assert heading in comment
