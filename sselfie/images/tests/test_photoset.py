import numpy as np
import pytest

from sselfie.images.photoset import MAX_PHOTOS, MIN_PHOTOS, SetMember, assess_set

_RNG = np.random.default_rng(42)
_PEOPLE = {name: _RNG.normal(0, 0.1, 128) for name in "ABCD"}  # ~1.1 apart


def _embedding(person: str, i: int) -> list[float]:
    # ~0.2 from the person's centre, ~0.3 between two photos of the same person.
    noise = np.random.default_rng(hash((person, i)) % 2**32).normal(0, 0.018, 128)
    return list(_PEOPLE[person] + noise)


def _phash(i: int) -> str:
    # Hashes 32 bits apart from each other: never duplicates by accident.
    return f"{(0x5555_5555 * (i + 1) * 2654435761) % 2**64:016x}"


def _member(i: int, person: str = "A", **kw) -> SetMember:
    poses = ["frontal", "left", "right", "frontal", "left", "right", "frontal"]
    framings = ["close-up", "close-up", "half", "full", "close-up", "half", "close-up"]
    defaults = {
        "id": i,
        "phash": _phash(i),
        "embedding": _embedding(person, i),
        "pose": poses[i % len(poses)],
        "framing": framings[i % len(framings)],
        "brightness": 80.0 + 15 * (i % 6),
    }
    return SetMember(**(defaults | kw))


def _distinct_phashes_are_far_apart():
    from sselfie.images.hashing import hamming

    return min(hamming(_phash(i), _phash(j)) for i in range(20) for j in range(i))


def test_synthetic_fixtures_behave():
    assert _distinct_phashes_are_far_apart() > 8


def test_varied_set_of_twelve_is_ready():
    report = assess_set([_member(i) for i in range(12)])
    assert report.ready and report.status == "Ready to train"
    assert report.usable == 12 and not report.flagged and not report.problems
    assert report.score == 100 and report.hints == []


@pytest.mark.parametrize(
    ("count", "code"), [(MIN_PHOTOS - 1, "too_few"), (MAX_PHOTOS + 1, "too_many")]
)
def test_count_limits(count, code):
    report = assess_set([_member(i) for i in range(count)])
    assert not report.ready
    assert [p.code for p in report.problems] == [code]
    assert "1" in report.problems[0].hint


def test_later_duplicate_is_flagged():
    members = [_member(i) for i in range(11)]
    almost = f"{int(members[3].phash, 16) ^ 0b101:016x}"  # 2 bits differ
    members.append(_member(11, phash=almost))
    report = assess_set(members)
    assert [p.code for p in report.flagged[11]] == ["duplicate"]
    assert 3 not in report.flagged
    assert report.usable == 11 and report.ready


def test_retake_of_a_rejected_photo_is_not_a_duplicate():
    members = [_member(0, ok=False)] + [_member(i) for i in range(1, 11)]
    members.append(_member(11, phash=members[0].phash))
    report = assess_set(members)
    assert 11 not in report.flagged and 11 in report.usable_ids


def test_outlier_is_flagged_never_the_majority():
    members = [_member(i) for i in range(10)] + [_member(10, "B")]
    report = assess_set(members)
    assert list(report.flagged) == [10]
    assert report.flagged[10][0].code == "different_person"
    assert report.usable == 10
    assert not report.ready  # the outlier must be removed first


def test_plurality_owner_when_others_are_scattered():
    members = [_member(i) for i in range(4)] + [_member(4, "B"), _member(5, "C")]
    assert sorted(assess_set(members).flagged) == [4, 5]


def test_two_people_half_and_half_is_said_plainly():
    members = [_member(i, "A") for i in range(6)] + [_member(i, "B") for i in range(6, 12)]
    report = assess_set(members)
    assert not report.flagged
    assert report.problems[0].code == "two_people"
    assert "half" in report.problems[0].message
    assert not report.ready


def test_several_people_without_a_majority():
    members = [_member(i, "ABC"[i % 3]) for i in range(9)]
    report = assess_set(members)
    assert not report.flagged and report.problems[0].code == "many_people"


def test_photos_failing_their_own_checks_are_not_usable():
    members = [_member(i) for i in range(10)] + [_member(10, ok=False)]
    members[0] = _member(0, embedding=None, ok=False)  # no face
    report = assess_set(members)
    assert report.usable == 9 and 0 not in report.usable_ids and 10 not in report.usable_ids


def test_uniform_set_scores_low_with_hints():
    members = [_member(i, pose="frontal", framing="close-up", brightness=120.0) for i in range(10)]
    report = assess_set(members)
    assert report.ready  # variety is advice, not a gate
    assert report.score == 30  # close-ups 20 + frontal 10; no wider, turned or light points
    text = " ".join(report.hints)
    assert "waist up" in text and "turned" in text and "light" in text


def test_empty_set():
    report = assess_set([])
    assert not report.ready and report.usable == 0 and report.score == 0


def test_real_photos(reports):
    names = ["astro", "astro_mirror", "astro_closeup", "astro_q60", "hopper"]
    members = []
    for name in names:
        r = reports(name)
        members.append(
            SetMember(
                id=name,
                phash=r.phash,
                embedding=r.embedding,
                pose=r.pose,
                framing=r.framing,
                brightness=r.brightness,
                ok=r.ok,
            )
        )
    report = assess_set(members)
    assert [p.code for p in report.flagged["astro_q60"]] == ["duplicate"]
    assert [p.code for p in report.flagged["hopper"]] == ["different_person"]
    assert set(report.flagged) == {"astro_q60", "hopper"}
    assert report.usable == 3
