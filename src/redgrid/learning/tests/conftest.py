import pytest


@pytest.fixture
def content(db):
    """The team's courses and questions loaded as in the demo."""
    from redgrid.learning.loader import load_content

    return load_content()
