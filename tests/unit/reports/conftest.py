"""Shared renders for the report tests: each template is rendered and written once per run."""

from __future__ import annotations

import pytest
from report_helpers import ALL_TEMPLATES, Rendered, render_to


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> dict[str, Rendered]:
    folder = tmp_path_factory.mktemp("reports")
    return {template_id: render_to(folder, template_id) for template_id in ALL_TEMPLATES}
