"""Behaviour of ``hub.content.parser.parse_file``: a content file in, checked data or a reason out.

The spec is docs/content-format.md. Every rejection is asserted on its message, because the message
is what the person running ``flask hub load-content`` reads.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hub.content.parser import Rejected, parse_file
from hub.documents.models import Area, Kind, Status, Visibility
from tests.factories import content_file, pdf_bytes

BRIEF = "kind: policy_brief\ntitle: Solar mini-grids\ncountry: GHA"
SECTION = "kind: guidebook_section\ntitle: Preparing the roadmap"


def write(folder: Path, front: str, body: str = "Some body text.\n", name: str = "doc.md") -> Path:
    return content_file(folder, name, front, body)


def reason_for(path: Path) -> str:
    with pytest.raises(Rejected) as caught:
        parse_file(path)
    return caught.value.reason


# --- the frame: front matter fences, YAML, encoding ---


def test_file_without_front_matter_is_rejected(tmp_path):
    path = tmp_path / "doc.md"
    path.write_text("# Just Markdown\n\nNo front matter here.\n", encoding="utf-8")

    assert reason_for(path).startswith("no front matter")


def test_unclosed_front_matter_is_rejected(tmp_path):
    path = tmp_path / "doc.md"
    path.write_text("---\nkind: policy_brief\ntitle: Open ended\n\nBody text.\n", encoding="utf-8")

    assert reason_for(path).startswith("front matter is not closed")


def test_bad_yaml_names_the_line_of_the_file(tmp_path):
    # File line 1 is '---'; the badly indented key is on file line 4.
    path = tmp_path / "doc.md"
    path.write_text(
        "---\nkind: policy_brief\ntitle: A title\n  stray: indent\ncountry: GHA\n---\nBody.\n",
        encoding="utf-8",
    )

    reason = reason_for(path)

    assert reason.startswith("bad YAML at line 4:")


def test_bad_yaml_line_number_follows_the_error_further_down(tmp_path):
    # A tab cannot start a YAML token; it sits on file line 6.
    path = tmp_path / "doc.md"
    path.write_text(
        "---\nkind: policy_brief\ntitle: A title\ncountry: GHA\nlanguage: en\n\ttags: [x]\n---\n"
        "Body.\n",
        encoding="utf-8",
    )

    assert reason_for(path).startswith("bad YAML at line 6:")


def test_front_matter_that_is_not_a_mapping_is_rejected(tmp_path):
    path = write(tmp_path, "- kind: policy_brief\n- title: A list, not a mapping")

    assert reason_for(path) == "bad YAML: the front matter must be a set of 'key: value' lines"


def test_non_utf8_file_is_rejected(tmp_path):
    path = tmp_path / "doc.md"
    path.write_bytes(
        "---\nkind: policy_brief\ntitle: Café\ncountry: GHA\n---\nBody\n".encode("latin-1")
    )

    assert reason_for(path) == "the file is not UTF-8 text"


def test_unknown_key_is_rejected(tmp_path):
    path = write(tmp_path, f"{BRIEF}\nauthor: Someone")

    assert reason_for(path) == "unknown key 'author' in the front matter"


# --- kind, title, slug, summary ---


def test_missing_kind_is_rejected(tmp_path):
    path = write(tmp_path, "title: No kind\ncountry: GHA")

    assert reason_for(path).startswith("missing kind")


def test_unknown_kind_is_rejected(tmp_path):
    path = write(tmp_path, "kind: blog_post\ntitle: A post")

    assert reason_for(path).startswith("unknown kind 'blog_post'")


def test_missing_title_is_rejected(tmp_path):
    path = write(tmp_path, "kind: policy_brief\ncountry: GHA")

    assert reason_for(path) == "missing title"


def test_title_of_300_characters_is_accepted(tmp_path):
    path = write(tmp_path, f"kind: policy_brief\ncountry: GHA\ntitle: {'t' * 300}")

    assert len(parse_file(path).title) == 300


def test_title_over_300_characters_is_rejected(tmp_path):
    path = write(tmp_path, f"kind: policy_brief\ncountry: GHA\ntitle: {'t' * 301}")

    assert reason_for(path) == "'title' is 301 characters long; the limit is 300"


def test_summary_over_1000_characters_is_rejected(tmp_path):
    path = write(tmp_path, f"{BRIEF}\nsummary: {'s' * 1001}")

    assert reason_for(path) == "'summary' is 1001 characters long; the limit is 1000"


@pytest.mark.parametrize("slug", ["Solar-Grids", "solar grids", "solar--grids", "-solar", "solar-"])
def test_bad_slug_is_rejected(tmp_path, slug):
    path = write(tmp_path, f"{BRIEF}\nslug: '{slug}'")

    assert reason_for(path).startswith(f"bad slug {slug!r}: use lower-case letters")


def test_slug_defaults_to_the_file_name(tmp_path):
    path = write(tmp_path, BRIEF, name="solar-mini-grids-2024.md")

    assert parse_file(path).slug == "solar-mini-grids-2024"


def test_file_name_that_is_not_a_valid_slug_is_rejected_without_a_slug_key(tmp_path):
    path = write(tmp_path, BRIEF, name="Solar Grids.md")

    assert reason_for(path).startswith("bad slug 'Solar Grids'")


def test_summary_defaults_to_the_first_paragraph_after_a_heading(tmp_path):
    body = "# Overview\n\nGhana's *roadmap* team met\nthree labs.\n\nA second paragraph.\n"
    path = write(tmp_path, BRIEF, body=body)

    assert parse_file(path).summary == "Ghana's roadmap team met three labs."


def test_explicit_summary_is_kept_with_whitespace_collapsed(tmp_path):
    path = write(tmp_path, f"{BRIEF}\nsummary: '  Short   summary. '", body="First paragraph.\n")

    assert parse_file(path).summary == "Short summary."


def test_complete_file_parses_into_document_data(tmp_path):
    front = (
        "kind: country_experience\ntitle: Linking labs with firms\ncountry: gha\nlanguage: fr\n"
        "sdgs: [2, 9, '17.6']\nareas: [capabilities, collaboration]\npublished: 2024-03-18\n"
        "status: draft\nvisibility: members\nexample: true\ntags: [Agro]"
    )
    path = write(tmp_path, front, name="labs-and-firms.md")

    data = parse_file(path)

    assert (data.kind, data.slug, data.country, data.language) == (
        Kind.COUNTRY_EXPERIENCE, "labs-and-firms", "GHA", "fr"
    )  # fmt: skip
    assert (data.goals, data.targets) == ([2, 9, 17], ["17.6"])
    assert data.areas == [Area.CAPABILITIES, Area.COLLABORATION]
    assert (data.published_on, data.status, data.visibility) == (
        date(2024, 3, 18), Status.DRAFT, Visibility.MEMBERS
    )  # fmt: skip
    assert data.is_example is True
    assert data.tags == ["agro"]


# --- country ---


def test_guidebook_section_with_a_country_is_rejected(tmp_path):
    path = write(tmp_path, f"{SECTION}\ncountry: GHA")

    assert reason_for(path) == "a guidebook section has no country"


@pytest.mark.parametrize("kind", ["policy_brief", "country_experience"])
def test_brief_or_experience_without_country_is_rejected(tmp_path, kind):
    path = write(tmp_path, f"kind: {kind}\ntitle: Somewhere")

    assert reason_for(path) == f"missing country: a {kind} needs an ISO 3166 alpha-3 code"


@pytest.mark.parametrize("code", ["GH", "GHAN", "G1A", "288"])
def test_malformed_country_code_is_rejected(tmp_path, code):
    path = write(tmp_path, f"kind: policy_brief\ntitle: Somewhere\ncountry: '{code}'")

    assert reason_for(path).startswith(f"unknown country code {code!r}: use ISO 3166 alpha-3")


# --- SDGs ---


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "SDG 0 is out of range: goals are numbered 1 to 17"),
        ("18", "SDG 18 is out of range: goals are numbered 1 to 17"),
        ("'18.1'", "SDG target 18.1 is out of range: goals are numbered 1 to 17"),
    ],
)
def test_sdg_out_of_range_is_rejected(tmp_path, value, message):
    path = write(tmp_path, f"{BRIEF}\nsdgs: [{value}]")

    assert reason_for(path) == message


def test_unquoted_target_code_is_rejected_with_a_hint_to_quote_it(tmp_path):
    path = write(tmp_path, f"{BRIEF}\nsdgs: [7, 17.6]")

    reason = reason_for(path)

    assert reason.startswith("SDG 17.6: write target codes in quotes")
    assert '"17.6"' in reason


def test_unknown_sdg_form_is_rejected(tmp_path):
    path = write(tmp_path, f"{BRIEF}\nsdgs: [abc]")

    assert reason_for(path) == "SDG 'abc' is neither a goal number (1-17) nor a target code"


def test_target_codes_add_their_goal(tmp_path):
    path = write(tmp_path, f"{BRIEF}\nsdgs: ['17.6', '9.B', 7]")

    data = parse_file(path)

    assert (data.goals, data.targets) == ([7, 9, 17], ["17.6", "9.b"])


def test_single_goal_without_a_list_is_accepted(tmp_path):
    path = write(tmp_path, f"{BRIEF}\nsdgs: 7")

    assert parse_file(path).goals == [7]


# --- areas and tags ---


def test_unknown_area_is_rejected(tmp_path):
    path = write(tmp_path, f"{BRIEF}\nareas: [capabilities, funding]")

    assert reason_for(path) == (
        "unknown area 'funding': use capabilities, knowledge_flows or collaboration"
    )


def test_tags_are_lower_cased_and_deduplicated(tmp_path):
    path = write(tmp_path, f"{BRIEF}\ntags: [Solar Power, 'solar   power', ENERGY, energy]")

    assert parse_file(path).tags == ["solar power", "energy"]


# --- guidebook structure ---


@pytest.mark.parametrize("line", ["parent: preparing-the-roadmap", "order: 2"])
def test_parent_or_order_on_a_brief_is_rejected(tmp_path, line):
    path = write(tmp_path, f"{BRIEF}\n{line}")

    assert reason_for(path) == "'parent' and 'order' are for guidebook sections only"


@pytest.mark.parametrize("value", ["'2'", "2.5", "true"])
def test_order_that_is_not_a_whole_number_is_rejected(tmp_path, value):
    path = write(tmp_path, f"{SECTION}\norder: {value}")

    assert reason_for(path).startswith("'order' must be a whole number, not ")


def test_guidebook_section_keeps_parent_and_order(tmp_path):
    path = write(tmp_path, f"{SECTION}\nparent: the-guidebook\norder: 3")

    data = parse_file(path)

    assert (data.parent, data.order) == ("the-guidebook", 3)


def test_section_that_is_its_own_parent_is_rejected(tmp_path):
    path = write(tmp_path, f"{SECTION}\nparent: loop", name="loop.md")

    assert reason_for(path) == "a section cannot be its own parent"


# --- flags, dates, status, visibility ---


def test_example_that_is_not_a_boolean_is_rejected(tmp_path):
    path = write(tmp_path, f"{BRIEF}\nexample: 'maybe'")

    assert reason_for(path) == "'example' must be true or false"


def test_published_that_is_not_an_iso_date_is_rejected(tmp_path):
    path = write(tmp_path, f"{BRIEF}\npublished: 1 May 2024")

    assert reason_for(path) == "'published' '1 May 2024' is not an ISO date such as 2024-05-01"


@pytest.mark.parametrize("status", ["archived", "submitted", "live"])
def test_status_other_than_published_or_draft_is_rejected(tmp_path, status):
    path = write(tmp_path, f"{BRIEF}\nstatus: {status}")

    assert reason_for(path) == f"unknown status {status!r}: use one of draft, published"


def test_unknown_visibility_is_rejected(tmp_path):
    path = write(tmp_path, f"{BRIEF}\nvisibility: secret")

    assert reason_for(path) == "unknown visibility 'secret': use one of members, public"


# --- attachments ---


def test_missing_attachment_is_rejected(tmp_path):
    path = write(tmp_path, f"{BRIEF}\nattachments: [files/report.pdf]")

    assert reason_for(path) == "attachment not found: files/report.pdf"


def test_attachment_that_is_not_a_pdf_file_is_rejected(tmp_path):
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04 not a pdf")
    path = write(tmp_path, f"{BRIEF}\nattachments: [notes.docx]")

    assert reason_for(path) == "attachment notes.docx is not a PDF file"


def test_attachment_path_is_resolved_next_to_the_markdown_file(tmp_path):
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "report.pdf").write_bytes(pdf_bytes("report"))
    path = write(tmp_path, f"{BRIEF}\nattachments: [files/report.pdf]")

    assert parse_file(path).attachments == [(tmp_path / "files" / "report.pdf").resolve()]


# --- bugs: malformed values that escape as exceptions instead of Rejected ---


def test_impossible_calendar_date_is_rejected_not_raised(tmp_path):
    # Once a bug: YAML turned 2024-13-01 into a date and raised ValueError, which escaped
    # parse_file and stops the whole load instead of rejecting this one file.
    path = write(tmp_path, f"{BRIEF}\npublished: 2024-13-01")

    assert "2024-13-01" in reason_for(path)


def test_nested_list_in_areas_is_rejected_not_raised(tmp_path):
    # Once a bug: ``value not in {...}`` with a list value raised TypeError, which escaped
    # parse_file and stops the whole load.
    path = write(tmp_path, f"{BRIEF}\nareas: [[capabilities]]")

    assert reason_for(path).startswith("unknown area")


def test_unquoted_norwegian_language_code_gets_a_hint_to_quote_it(tmp_path):
    path = write(tmp_path, f"{BRIEF}\nlanguage: no")

    assert "in quotes" in reason_for(path)


def test_quoted_norwegian_language_code_is_accepted(tmp_path):
    path = write(tmp_path, f'{BRIEF}\nlanguage: "no"')

    assert parse_file(path).language == "no"
