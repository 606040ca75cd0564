"""The shared "current slide" registry that lets a presenter window drive the audience's."""

from __future__ import annotations

import threading

import pytest

from dashboard import presenting


@pytest.fixture(autouse=True)
def empty_registry():
    """Every test starts and ends with no pack published."""
    presenting.forget()
    yield
    presenting.forget()


def test_nothing_published_yet():
    assert presenting.current("morning") is None
    assert presenting.news("morning", None) is None


def test_the_last_slide_set_is_current_with_a_newer_stamp():
    first = presenting.set_slide("morning", 1)
    second = presenting.set_slide("morning", 3)
    assert presenting.current("morning") == second
    assert second.slide == 3 and second.stamp > first.stamp


def test_packs_are_independent():
    presenting.set_slide("morning", 2)
    presenting.set_slide("evening", 5)
    assert presenting.current("morning").slide == 2
    assert presenting.current("evening").slide == 5
    presenting.forget("evening")
    assert presenting.current("evening") is None and presenting.current("morning").slide == 2


@pytest.mark.parametrize(("seen", "expected"), [
    (None, 2),     # a window that has seen nothing follows
    ("old", 2),    # a window that saw an earlier change follows
    ("now", None),  # the window that published (or already followed) it does not
])
def test_news_is_what_a_window_has_not_seen(seen, expected):
    old = presenting.set_slide("morning", 1)
    now = presenting.set_slide("morning", 2)
    stamp = {None: None, "old": old.stamp, "now": now.stamp}[seen]
    news = presenting.news("morning", stamp)
    assert (news.slide if news else None) == expected


def test_the_same_slide_again_is_still_news():
    """Stepping 2 -> 3 -> 2 quickly must not look like "no change" to a window still on 2."""
    seen = presenting.set_slide("morning", 2).stamp
    presenting.set_slide("morning", 3)
    presenting.set_slide("morning", 2)
    assert presenting.news("morning", seen).slide == 2


@pytest.mark.parametrize("bad", [0, -1])
def test_slide_numbers_start_at_one(bad):
    with pytest.raises(ValueError, match=f"slide {bad} is not a slide number"):
        presenting.set_slide("morning", bad)


def test_stamps_are_unique_across_threads():
    """Each browser session runs in its own thread: no two changes share a stamp."""
    stamps: list[int] = []
    lock = threading.Lock()

    def publish(n: int) -> None:
        for _ in range(200):
            stamp = presenting.set_slide(f"pack-{n % 3}", 1 + n % 4).stamp
            with lock:
                stamps.append(stamp)

    threads = [threading.Thread(target=publish, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(stamps)) == len(stamps) == 1600
