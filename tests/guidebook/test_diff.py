"""The diff as data: reflowed paragraphs compared word by word, metadata listed, no HTML."""

from __future__ import annotations

from hub.documents.diff import (
    ADDED,
    REMOVED,
    SAME,
    Piece,
    compare,
    paragraphs,
    readable,
    unified,
    words,
)


def _marked(blocks) -> list[tuple[str, str]]:
    return [(p.op, p.text) for b in blocks for p in b.pieces if p.op != SAME]


def test_hard_wrapped_lines_of_a_paragraph_are_joined():
    assert paragraphs("One line\nwrapped here.\n\nSecond paragraph.") == [
        "One line wrapped here.",
        "Second paragraph.",
    ]


def test_list_items_and_headings_stay_blocks_of_their_own():
    text = "# Title\n- first item\n  continues\n- second item"
    assert paragraphs(text) == ["# Title", "- first item continues", "- second item"]


def test_code_blocks_keep_their_lines():
    assert paragraphs("```\na = 1\nb = 2\n```") == ["```", "a = 1", "b = 2", "```"]


def test_rewrapping_a_paragraph_is_not_a_change():
    old = "Budgets come first and\nthen the plan."
    new = "Budgets come first\nand then the plan."
    assert "body" not in compare({"body": old}, {"body": new}).fields


def test_a_changed_word_is_removed_then_added_in_place():
    assert [p for p in words("Track indicators yearly.", "Track indicators quarterly.")
            if p.op != SAME] == [Piece("yearly", REMOVED), Piece("quarterly", ADDED)]  # fmt: skip


def test_marked_words_carry_no_surrounding_spaces():
    pieces = words("We fund research.", "We fund applied research.")
    assert Piece("applied", ADDED) in pieces


def test_a_new_paragraph_is_added_whole_and_unchanged_ones_are_folded():
    old = "\n\n".join(f"Paragraph {n} stays." for n in range(6))
    new = old + "\n\nA brand new closing paragraph."
    blocks = unified(old, new)
    assert blocks[0].kind == "skipped" and blocks[0].skipped == 5
    assert blocks[-1].kind == ADDED
    assert blocks[-1].pieces == [Piece("A brand new closing paragraph.", ADDED)]


def test_an_unrelated_paragraph_is_shown_as_removed_and_added_not_mixed():
    blocks = unified("Completely different words here.", "Nothing alike at all today.")
    assert [b.kind for b in blocks] == [REMOVED, ADDED]


def test_metadata_changes_are_listed_by_field():
    old = {"goals": [9], "tags": ["energy"], "visibility": "public", "parent": None,
           "position": 1, "attachments": [{"filename": "a.pdf", "sha256": "1"}]}  # fmt: skip
    new = {"goals": [9, 17], "tags": [], "visibility": "members", "parent": "part-a",
           "position": 2, "attachments": [{"filename": "b.pdf", "sha256": "2"}]}  # fmt: skip
    changes = {m.name: m for m in compare(old, new).metadata}
    assert changes["goals"].added == ["17"] and changes["goals"].removed == []
    assert changes["tags"].removed == ["energy"]
    assert (changes["visibility"].before, changes["visibility"].after) == ("public", "members")
    assert (changes["parent"].before, changes["parent"].after) == (None, "part-a")
    assert changes["attachments"].added == ["b.pdf"]
    assert changes["attachments"].removed == ["a.pdf"]


def test_the_diff_is_plain_text_the_template_escapes():
    result = compare({"body": "Plain."}, {"body": "<script>alert(1)</script>"})
    texts = [p.text for b in result.fields["body"] for p in b.pieces]
    assert "<script>alert(1)</script>" in texts  # as typed; escaping is the template's job


def test_identical_snapshots_compare_empty():
    snap = {"title": "T", "body": "B", "goals": [1]}
    assert not compare(snap, dict(snap))


def test_markdown_marks_are_compared_as_a_reader_sees_the_words():
    assert readable("## A **working** text") == "A working text"
    assert (
        readable("- see [the guide](https://example.org)")
        == "• see the guide (https://example.org)"
    )
    assert readable("snake_case_name stays") == "snake_case_name stays"


def test_a_changed_link_address_is_still_a_change():
    blocks = unified("Read [it](https://a.example).", "Read [it](https://b.example).")
    assert any(p.op != SAME for b in blocks for p in b.pieces)
