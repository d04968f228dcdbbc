"""Case screens: the case list (and the case view)."""
