"""The desktop app (the only package that imports Qt)."""

from casebook.ui.pyside_setup import skip_feature_scan

skip_feature_scan()
