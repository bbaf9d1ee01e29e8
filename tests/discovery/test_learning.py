"""Cardinality learning: thresholds, guards, merging, bounded memory, persistence."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phiwatch.discovery.learning import DEFAULT_THRESHOLD, PathLearner
from phiwatch.errors import ConfigError, StoreError

USERS = [
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "frank",
    "grace",
    "heidi",
    "ivan",
    "judy",
    "mallory",
    "oscar",
]
H = "api.example.org"


def _learn(paths: list[str], **kw: int) -> PathLearner:
    learner = PathLearner(**kw)
    for p in paths:
        learner.observe(H, p)
    return learner


def test_default_threshold_is_ten() -> None:
    assert DEFAULT_THRESHOLD == 10


# (paths observed, probe, expected template of the probe, reason)
CASES = [
    ([f"/users/{u}" for u in USERS[:10]], "/users/alice", "/users/{id}", "10 distinct names: a parameter"),
    ([f"/users/{u}" for u in USERS[:9]], "/users/alice", "/users/alice", "near-miss: 9 names stay literal"),
    ([f"/users/{u}" for u in USERS[:10]], "/users/zoe", "/users/{id}", "a name never seen maps too"),
    (
        [f"/api/v1/{r}" for r in ("orders", "users", "items", "carts", "reviews", "search")],
        "/api/v1/orders",
        "/api/v1/orders",
        "near-miss: 6 fixed sub-resources",
    ),
    (
        [f"/api/v1/{r}{i}" for r in ("orders", "users", "items", "carts") for i in ("", "-x", "-y")],
        "/api/v1/orders",
        "/api/v1/orders",
        "near-miss: 12 collections under a namespace prefix are never learned",
    ),
    ([f"/{u}" for u in USERS], "/alice", "/alice", "the first segment is never learned"),
    (
        [f"/accounts/{u}/settings" for u in USERS[:10]],
        "/accounts/jdoe/settings",
        "/accounts/{id}/settings",
        "value in the middle of a path",
    ),
    (
        [f"/accounts/{u}/settings" for u in USERS[:10]],
        "/accounts/me/settings",
        "/accounts/me/settings",
        "reserved word 'me' stays literal at a learned position",
    ),
    (
        [f"/orgs/{u}/repos/{r}" for u in USERS[:10] for r in USERS[:10]],
        "/orgs/x/repos/y",
        "/orgs/{id}/repos/{id2}",
        "two learned positions, numbered in order",
    ),
    (
        [f"/orgs/{u}/members/{{id}}" for u in USERS[:10]],
        "/orgs/acme/members/{id}",
        "/orgs/{id}/members/{id2}",
        "learned position before a templated one renumbers",
    ),
    (
        [f"/fhir/Patient/{{id}}/{t}" for t in ("Observation", "Condition", "Encounter", "Procedure")] * 3
        + [f"/fhir/{t}" for t in ("Observation", "Condition", "Encounter", "Procedure", "Claim", "Coverage")]
        + [f"/fhir/{t}/$export" for t in ("Group", "Patient", "Observation", "Claim", "Coverage")],
        "/fhir/Patient/{id}/Observation",
        "/fhir/Patient/{id}/Observation",
        "FHIR resource types never count as values",
    ),
    (
        [f"/docs/{u}" for u in USERS[:3]],
        "/docs/alice",
        "/docs/alice",
        "other hosts and positions are independent",
    ),
]


@pytest.mark.parametrize(("paths", "probe", "expected", "reason"), CASES, ids=[c[3] for c in CASES])
def test_learning(paths: list[str], probe: str, expected: str, reason: str) -> None:
    learner = _learn(paths)
    assert learner.apply(H, probe) == expected, reason
    assert learner.apply("other.example.org", probe) == probe, "learning is per host"


def test_threshold_is_configurable() -> None:
    paths = [f"/users/{u}" for u in USERS[:5]]
    assert _learn(paths, threshold=5).apply(H, "/users/x") == "/users/{id}"
    assert _learn(paths, threshold=6).apply(H, "/users/x") == "/users/x"
    with pytest.raises(ConfigError):
        PathLearner(threshold=1)
    with pytest.raises(ConfigError):
        PathLearner(max_nodes=0)


def test_observe_returns_effective_template_and_bumps_generation() -> None:
    learner = PathLearner()
    gens = []
    for u in USERS[:10]:
        out = learner.observe(H, f"/users/{u}")
        gens.append(learner.generation)
    assert out == "/users/{id}"
    assert gens == [0] * 9 + [1]
    assert learner.learned() == [(H, "users")]


def test_children_recorded_before_the_flip_are_rehomed() -> None:
    # /accounts/<u>/<x> recorded under "accounts/<u>" before "accounts" is learned must join
    # "accounts/{id}" afterwards, so the order of arrival does not change the outcome.
    learner = PathLearner()
    subs = [f"s{i:02d}x" for i in range(10)]  # 10 distinct words, each under another account
    for u, s in zip(USERS[:10], subs, strict=True):
        learner.observe(H, f"/accounts/{u}/{s}")
    assert learner.apply(H, "/accounts/zed/other") == "/accounts/{id}/{id2}"


def test_memory_is_bounded() -> None:
    learner = PathLearner(max_nodes=50)
    for i in range(2000):
        learner.observe(H, f"/c{i % 300}x/w{i}x")
    assert learner.node_count() <= 50
    assert learner.skipped > 0
    state = learner.to_state()
    assert all(len(n.values) < learner.threshold for n in state.nodes)


def test_round_trip_continues_learning() -> None:
    first = _learn([f"/users/{u}" for u in USERS[:6]])
    again = PathLearner.from_bytes(first.to_bytes())
    assert again.to_bytes() == first.to_bytes()
    for u in USERS[6:10]:
        again.observe(H, f"/users/{u}")
    assert again.apply(H, "/users/x") == "/users/{id}"


def test_from_bytes_rejects_garbage() -> None:
    with pytest.raises(StoreError):
        PathLearner.from_bytes(b"\x00not msgpack")
    with pytest.raises(StoreError):
        PathLearner.from_bytes(b"\x93\x01\x02\x03")


def test_merge_equals_one_learner_seeing_both() -> None:
    a_paths = [f"/users/{u}" for u in USERS[:5]] + [f"/orgs/{u}/repos/{v}" for u in USERS[:6] for v in "pq"]
    b_paths = [f"/users/{u}" for u in USERS[5:]] + [f"/orgs/{u}/repos/{v}" for u in USERS[6:] for v in "rs"]
    both = _learn(a_paths + b_paths)
    a, b = _learn(a_paths), _learn(b_paths)
    a.merge(b)
    assert a.to_bytes() == both.to_bytes()


_words = st.sampled_from(["users", "orgs", "repos", "settings", "api", "v1", "Patient", "me", *USERS])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_words, min_size=1, max_size=4).map(lambda s: "/" + "/".join(s)), max_size=60))
def test_split_and_merge_is_order_independent(paths: list[str]) -> None:
    half = len(paths) // 2
    both = _learn(paths, threshold=3)
    a, b = _learn(paths[:half], threshold=3), _learn(paths[half:], threshold=3)
    a.merge(b)
    for p in paths:
        assert a.apply(H, p) == both.apply(H, p)
    assert a.learned() == both.learned()
