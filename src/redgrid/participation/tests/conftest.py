"""Helpers for participation tests: wishes in a given state, a second member account."""

import pytest

from redgrid.testing import make_user


@pytest.fixture
def wishes(world):
    return WishMaker(world)


class WishMaker:
    """`wishes.make("claimed")` walks a wish of the world's resident through the real services."""

    def __init__(self, world):
        self.world = world
        self._member2 = None

    @property
    def member2(self):
        """A second party member of grid A1 (person A1-00)."""
        if self._member2 is None:
            self._member2 = make_user("member2", person=self.world.residents["A1-00"])
        return self._member2

    def make(self, status="pending", *, poster=None, claimer=None, title="给孩子买一套文具", value=50):
        from redgrid.participation import services as s

        w = self.world
        poster = poster or w.user("resident")
        claimer = claimer or w.user("member")
        wish = s.wish_post(
            actor=poster, title=title, content="孩子开学缺文具", value_estimate=value, category="study"
        )
        if status == "pending":
            return wish
        if status == "rejected":
            return s.wish_reject(actor=w.user("community"), wish=wish, reason="不属于微心愿范围")
        wish = s.wish_approve(actor=w.user("community"), wish=wish)
        if status == "open":
            return wish
        wish = s.wish_claim(actor=claimer, wish=wish)
        if status == "claimed":
            return wish
        wish = s.wish_fulfil(actor=claimer, wish=wish, content="已送到家中")
        if status == "fulfilled":
            return wish
        return s.wish_confirm(actor=poster, wish=wish, thanks="谢谢党员同志")
