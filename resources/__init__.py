"""Data shipped with Casebook (profiles, guidance, checklists, report templates, fonts).

Kept at the top of the repository as content, installed as the ``casebook.resources`` package
so it travels in the wheel and the frozen app; read it through ``casebook.paths.resources_dir``.
"""
