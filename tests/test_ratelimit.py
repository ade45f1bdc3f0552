"""The one rate limiter (hub/ratelimit.py), behind the login, reset-mail and application-form
limits."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from hub import ratelimit
from hub.dbtypes import utcnow
from hub.extensions import db
from hub.ratelimit import RateLimitHit

LIMIT = ratelimit.Limit("test", allowed=3, window=timedelta(minutes=10))


def _hit(key: str, times: int = 1) -> None:
    for _ in range(times):
        ratelimit.record(LIMIT, key)
    db.session.commit()


def test_a_key_is_within_its_limit_up_to_the_allowed_number_of_hits(app):
    _hit("198.51.100.7", LIMIT.allowed)
    assert not ratelimit.is_exceeded(LIMIT, "198.51.100.7")


def test_one_hit_more_than_allowed_exceeds_the_limit(app):
    _hit("198.51.100.7", LIMIT.allowed + 1)
    assert ratelimit.is_exceeded(LIMIT, "198.51.100.7")


def test_asking_about_one_more_hit_counts_it_before_it_is_recorded(app):
    _hit("198.51.100.7", LIMIT.allowed)
    assert ratelimit.is_exceeded(LIMIT, "198.51.100.7", adding=1)


def test_hits_older_than_the_window_no_longer_count(app):
    _hit("198.51.100.7", LIMIT.allowed + 1)
    db.session.execute(update(RateLimitHit).values(created_at=utcnow() - timedelta(minutes=11)))
    db.session.commit()
    assert ratelimit.count(LIMIT, "198.51.100.7") == 0


def test_hits_still_inside_the_window_count(app):
    _hit("198.51.100.7", LIMIT.allowed + 1)
    db.session.execute(update(RateLimitHit).values(created_at=utcnow() - timedelta(minutes=9)))
    db.session.commit()
    assert ratelimit.is_exceeded(LIMIT, "198.51.100.7")


def test_recording_deletes_hits_that_left_the_window(app):
    _hit("198.51.100.7", 2)
    db.session.execute(update(RateLimitHit).values(created_at=utcnow() - timedelta(minutes=11)))
    _hit("203.0.113.9")
    assert db.session.query(RateLimitHit).count() == 1


def test_separate_keys_have_separate_allowances(app):
    _hit("198.51.100.7", LIMIT.allowed + 1)
    assert not ratelimit.is_exceeded(LIMIT, "203.0.113.9")


def test_separate_scopes_have_separate_allowances(app):
    _hit("198.51.100.7", LIMIT.allowed + 1)
    other = ratelimit.Limit("other", allowed=3, window=timedelta(minutes=10))
    assert ratelimit.count(other, "198.51.100.7") == 0


def test_hits_of_a_sub_key_count_for_the_wider_key(app):
    _hit(ratelimit.key_of("198.51.100.7", "ana@example.org"), 2)
    _hit(ratelimit.key_of("198.51.100.7", "bo@example.org"), 2)
    assert ratelimit.count(LIMIT, ratelimit.key_of("198.51.100.7")) == 4


def test_a_key_is_not_the_prefix_of_a_longer_address(app):
    _hit(ratelimit.key_of("198.51.100.70"), 2)
    assert ratelimit.count(LIMIT, ratelimit.key_of("198.51.100.7")) == 0


def test_a_percent_sign_in_a_key_matches_only_itself(app):
    _hit(ratelimit.key_of("198.51.100.7", "abc", "x"), 2)
    assert ratelimit.count(LIMIT, ratelimit.key_of("198.51.100.7", "a%")) == 0


def test_clearing_a_sub_key_forgives_its_hits_for_the_wider_key_too(app):
    _hit(ratelimit.key_of("198.51.100.7", "ana@example.org"), 2)
    _hit(ratelimit.key_of("198.51.100.7", "bo@example.org"), 1)
    ratelimit.clear(LIMIT, ratelimit.key_of("198.51.100.7", "ana@example.org"))
    db.session.commit()
    assert ratelimit.count(LIMIT, ratelimit.key_of("198.51.100.7")) == 1


def test_acquiring_grants_the_allowed_number_of_hits_then_refuses(app):
    granted = [ratelimit.acquire(LIMIT, "ana@example.org") for _ in range(LIMIT.allowed + 2)]

    assert granted == [True] * LIMIT.allowed + [False, False]


def test_a_refused_acquisition_keeps_no_hit(app):
    for _ in range(LIMIT.allowed + 5):
        ratelimit.acquire(LIMIT, "ana@example.org")

    assert ratelimit.count(LIMIT, "ana@example.org") == LIMIT.allowed


def test_acquiring_is_granted_again_once_the_window_has_passed(app):
    for _ in range(LIMIT.allowed + 1):
        ratelimit.acquire(LIMIT, "ana@example.org")
    db.session.execute(update(RateLimitHit).values(created_at=utcnow() - timedelta(minutes=11)))
    db.session.commit()

    assert ratelimit.acquire(LIMIT, "ana@example.org")
