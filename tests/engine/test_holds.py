"""Tentative holds follow the latest proposal and come off when they are no longer needed."""

from __future__ import annotations

from dataclasses import replace

from outreach.config.settings import Scheduling
from outreach.core.model import Kind, MessageState, Status
from outreach.engine import plan

from .helpers import World, at, person, slot

TIMES = [slot(at(12, 3, 10)), slot(at(12, 4, 14)), slot(at(12, 7, 11))]


def sent_request(world: World) -> None:
    [request] = world.plan(at(12, 1, 8))
    world.draft(at(12, 1, 8), slots=TIMES)
    world.send(request, at(12, 1, 9))


def holds(world: World, standing: bool = True) -> list:
    found = world.of("ann", Kind.HOLD)
    if standing:
        found = [h for h in found if h.state in (MessageState.PLANNED, MessageState.DRAFTED)
                 and not h.release]  # fmt: skip
    return found


def test_each_proposed_time_is_held_once() -> None:
    world = World(person("Ann"))
    sent_request(world)
    planned = world.plan(at(12, 1, 9, 5))
    assert [(m.kind, m.sequence) for m in planned] == [(Kind.HOLD, n) for n in (1, 2, 3)]
    assert [m.slots for m in planned] == [[t] for t in TIMES]
    assert world.plan(at(12, 1, 9, 10)) == []  # already held: nothing new


def test_holds_come_off_when_a_time_is_agreed() -> None:
    world = World(person("Ann"))
    sent_request(world)
    world.plan(at(12, 1, 9, 5))
    world.draft(at(12, 1, 9, 5))  # the holds are on the calendar
    world.reply("ann", at(12, 2, 9), "Friday at 2pm works for me.")
    assert world.status("ann") == Status.SCHEDULING
    world.plan(at(12, 2, 9, 5))
    released = [h for h in holds(world, standing=False) if h.release]
    assert len(released) == 3 and holds(world) == []
    assert [m.kind for m in world.plan(at(12, 2, 9, 10))] == []  # released once


def test_a_follow_up_with_new_times_replaces_the_holds() -> None:
    world = World(person("Ann"))
    sent_request(world)
    world.plan(at(12, 1, 9, 5))
    world.draft(at(12, 1, 9, 5))
    [up] = [m for m in world.plan(at(12, 8, 10)) if m.kind == Kind.FOLLOW_UP]
    later = [slot(at(12, 10, 10)), slot(at(12, 11, 15))]
    world.draft(at(12, 8, 10), slots=later)
    world.send(up, at(12, 8, 11))
    world.plan(at(12, 8, 11, 5))
    standing = holds(world)
    assert sorted(h.slots[0].start for h in standing) == [t.start for t in later]
    assert all(h.thread_of == up.id for h in standing)
    assert sum(h.release for h in holds(world, standing=False)) == 3


def test_a_past_time_is_released_and_nothing_is_held_when_turned_off() -> None:
    world = World(person("Ann"))
    sent_request(world)
    world.plan(at(12, 1, 9, 5))
    world.draft(at(12, 1, 9, 5))
    world.plan(at(12, 3, 11))  # the first time has passed
    assert [h.sequence for h in holds(world)] == [2, 3]

    quiet = World(person("Ann"))
    quiet.settings = replace(quiet.settings, scheduling=Scheduling(hold_slots=False))
    sent_request(quiet)
    assert [m for m in plan(quiet.state, at(12, 1, 9, 5), quiet.settings)
            if getattr(m, "kind", None) == Kind.HOLD] == []  # fmt: skip


def test_do_not_contact_releases_the_holds() -> None:
    world = World(person("Ann"))
    sent_request(world)
    world.plan(at(12, 1, 9, 5))
    world.draft(at(12, 1, 9, 5))
    world.state.contacts["ann"].do_not_contact = True
    world.plan(at(12, 1, 12))
    assert holds(world) == []
