"""Learning and ranking with scikit-learn. Never imports Flask, ``hiring`` or ``models``."""
