"""
Border crossings: pairs of posts with their physical facts.

A :class:`Crossing` is what does not change with the rules in force: where its
two posts are, how high, how far apart, and when each is open. What a regime
decides about a crossing (may this truck pass, how long is the queue) lives in
:mod:`transit.regimes`.

Examples
--------
>>> from transit.schedule import PostSchedule
>>> kg = Post(id="x-kg", name="X (KG post)", country="KG", lon=73.9, lat=39.7,
...           schedule=PostSchedule.build(tz="Asia/Bishkek"))
>>> cn = Post(id="x-cn", name="X (CN post)", country="CN", lon=73.95, lat=39.7,
...           schedule=PostSchedule.build(tz="Asia/Shanghai"))
>>> c = Crossing(id="x", name="X", posts=(kg, cn), link_km=4.0)
>>> c.direction_from("KG")
'KG>CN'
>>> c.clock("KG>CN").always_open
True
"""

from __future__ import annotations

from dataclasses import dataclass

from ._validate import short_repr
from .clocks import CrossingClock
from .errors import UnknownIdError
from .schedule import PostSchedule

__all__ = ["Crossing", "Post"]


@dataclass(frozen=True, kw_only=True)
class Post:
    """One country's post of a crossing.

    Parameters
    ----------
    id
        Node id in the network (``"irkeshtam-kg"``).
    name
        Display name.
    country
        ISO 3166-1 alpha-2 code.
    lon, lat
        WGS84 degrees.
    schedule
        Opening schedule in the post's local time.
    elevation_m
        Altitude, if known.
    source
        Source ids or ``ESTIMATE: ...`` for the location.
    """

    id: str
    name: str
    country: str
    lon: float
    lat: float
    schedule: PostSchedule
    elevation_m: float | None = None
    source: str = ""

    @property
    def tz(self) -> str:
        """IANA time zone of the post."""
        return self.schedule.tz


@dataclass(frozen=True, kw_only=True)
class Crossing:
    """A border crossing point: two posts and the link between them.

    Parameters
    ----------
    id
        Crossing id (``"irkeshtam"``).
    name
        Display name (``"Irkeshtam"``).
    posts
        The two posts, in any order.
    link_km
        Road distance between the posts.
    aliases
        Other names users may type (``"Nur Zholy"`` for Khorgos).
    notes
        Free text: what the model simplifies here.
    source
        Source ids or ``ESTIMATE: ...`` for schedule and link.
    """

    id: str
    name: str
    posts: tuple[Post, Post]
    link_km: float
    aliases: tuple[str, ...] = ()
    notes: str = ""
    source: str = ""

    @property
    def countries(self) -> tuple[str, str]:
        """The two countries, in the order of :attr:`posts`."""
        return (self.posts[0].country, self.posts[1].country)

    def post(self, country: str) -> Post:
        """Return the post of ``country`` (:class:`~transit.errors.UnknownIdError`, a ``KeyError``, for another country)."""
        for post in self.posts:
            if post.country == country:
                return post
        msg = f"crossing {self.id!r} has no {short_repr(country)} post; expected one of its countries {self.countries}"
        raise UnknownIdError(msg)

    def direction_from(self, country: str) -> str:
        """Return the direction key ``"A>B"`` for traffic leaving ``country`` (:class:`~transit.errors.UnknownIdError` for another country)."""
        a, b = self.countries
        if country == a:
            return f"{a}>{b}"
        if country == b:
            return f"{b}>{a}"
        msg = f"crossing {self.id!r} does not border {short_repr(country)}; expected one of its countries {self.countries}"
        raise UnknownIdError(msg)

    @property
    def directions(self) -> tuple[str, str]:
        """Both direction keys."""
        a, b = self.countries
        return (f"{a}>{b}", f"{b}>{a}")

    def clock(self, direction: str, *, schedules: dict[str, PostSchedule] | None = None) -> CrossingClock:
        """
        Return the joint opening clock for ``direction`` (``"KG>CN"``).

        Parameters
        ----------
        direction
            ``"exit country>entry country"``.
        schedules
            Per-country schedules replacing the posts' own (a regime's
            what-if, such as a crossing run 24/7).
        """
        exit_country, _, entry_country = direction.partition(">")
        schedules = schedules or {}
        exit_post, entry_post = self.post(exit_country), self.post(entry_country)
        return CrossingClock(
            schedules.get(exit_country, exit_post.schedule),
            schedules.get(entry_country, entry_post.schedule),
        )
