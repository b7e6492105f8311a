"""One populated app per test, reused by every hypothesis example of that test.

Examples add rows and never clean up: each uses values of its own, and what an
earlier example stored is one more hostile record on the pages a later one reads.
"""

import pytest

from tests.hostile.world import World, build_world


@pytest.fixture
def world(app) -> World:
    """Users of each role, two candidates, an opening with an application, a shortlist, a hire and a scorecard."""
    return build_world(app)
