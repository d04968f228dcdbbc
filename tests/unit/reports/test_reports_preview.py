"""Page images for the check before saving come from the PDF in memory."""

from __future__ import annotations

import io

from PIL import Image
from report_helpers import make_case_data, options

from casebook.reports import prepare_case_report
from casebook.reports.preview import page_previews


def test_prepared_report_carries_page_images_and_what_was_replaced() -> None:
    prepared = prepare_case_report(make_case_data(), options("case-file"), preview_pages=3)
    assert len(prepared.previews) == 3 and prepared.pages > 3
    with Image.open(io.BytesIO(prepared.previews[0])) as image:
        assert image.width == 240 and image.height > image.width  # an A4 page
    assert prepared.replacements and all(not label.startswith("Zo")
                                         for label in prepared.replacements)
    assert prepared.replacement_lines()[0].endswith("replaced")


def test_unreadable_pdf_gives_no_previews() -> None:
    assert page_previews(b"not a pdf") == ()


def test_a_named_person_sharing_a_labelled_learners_surname_is_pointed_out() -> None:
    from dataclasses import replace

    from report_helpers import GIORGOS, ZOE

    data = make_case_data()
    people = tuple(replace(p, name="Kari Ødegård") if p.id == GIORGOS else p
                   for p in data.people)
    data = replace(data, people=people)
    prepared = prepare_case_report(data, options("case-file", {GIORGOS}))
    assert prepared.shared_name_labels == ("Learner A",)  # Zoë Ødegård's label
    assert ZOE in prepared.redacted_labels
    clear = prepare_case_report(make_case_data(), options("case-file", {GIORGOS}))
    assert clear.shared_name_labels == ()
