"""The Learners screen: the people register with search, a learner's file across cases, the
retention review queue and transfers awaiting receipt."""

from casebook.ui.learners.view import LearnersView, import_learners

__all__ = ["LearnersView", "import_learners"]
