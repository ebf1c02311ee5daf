"""The render queue of ``server/capacity.py``, on its own (no server, real asyncio)."""

from __future__ import annotations

import asyncio

import pytest

from portfolio_kit.server.capacity import (
    AdmissionGate,
    AdmissionLimits,
    ClientGone,
    ServerBusy,
    default_max_kernels,
)


def test_views_beyond_the_slots_wait_their_turn_in_arrival_order() -> None:
    async def scenario() -> list[str]:
        gate = AdmissionGate(max_renders=2, queue_length=5)
        order: list[str] = []

        async def view(name: str, seconds: float) -> None:
            await gate.acquire(asyncio.Event())
            order.append(f"start {name}")
            await asyncio.sleep(seconds)
            gate.release()

        await asyncio.gather(*(view(name, 0.05) for name in "abcde"))
        return order

    # Two slots: a and b start at once; c, d, e start in the order they came.
    assert asyncio.run(scenario()) == ["start a", "start b", "start c", "start d", "start e"]


def test_a_full_queue_answers_busy_and_keeps_the_slots() -> None:
    async def scenario() -> tuple[int, int, int]:
        gate = AdmissionGate(max_renders=1, queue_length=1)
        await gate.acquire(asyncio.Event())  # rendering
        waiting = asyncio.ensure_future(gate.acquire(asyncio.Event()))
        await asyncio.sleep(0)
        with pytest.raises(ServerBusy):
            await gate.acquire(asyncio.Event())
        busy = (gate.rendering, gate.waiting)
        gate.release()
        await waiting
        return (*busy, gate.rendering)

    # One rendering and one waiting when the third is refused; the waiter then renders.
    assert asyncio.run(scenario()) == (1, 1, 1)


def test_a_viewer_who_leaves_the_queue_frees_their_place() -> None:
    async def scenario() -> tuple[int, int]:
        gate = AdmissionGate(max_renders=1, queue_length=1)
        await gate.acquire(asyncio.Event())
        gone = asyncio.Event()
        leaving = asyncio.ensure_future(gate.acquire(gone))
        await asyncio.sleep(0)
        gone.set()
        with pytest.raises(ClientGone):
            await leaving
        after_leaving = gate.waiting
        # The place is free again: a new viewer may queue, and gets the slot.
        newcomer = asyncio.ensure_future(gate.acquire(asyncio.Event()))
        await asyncio.sleep(0)
        gate.release()
        await newcomer
        return after_leaving, gate.rendering

    assert asyncio.run(scenario()) == (0, 1)


def test_a_slot_given_to_a_viewer_who_just_left_goes_to_the_next() -> None:
    async def scenario() -> int:
        gate = AdmissionGate(max_renders=1, queue_length=2)
        await gate.acquire(asyncio.Event())
        gone = asyncio.Event()
        first = asyncio.ensure_future(gate.acquire(gone))
        second = asyncio.ensure_future(gate.acquire(asyncio.Event()))
        await asyncio.sleep(0)
        gate.release()  # the slot is handed to `first`...
        gone.set()  # ...who closed the tab in the same moment
        with pytest.raises(ClientGone):
            await first
        await asyncio.wait_for(second, timeout=1)
        return gate.rendering

    assert asyncio.run(scenario()) == 1


def test_limits_are_checked_and_the_kernel_default_follows_memory() -> None:
    with pytest.raises(ValueError, match="max_renders >= 1"):
        AdmissionLimits(max_renders=0, queue_length=0, max_kernels=1)
    # 24 GiB here: 60 % at 400 MiB a kernel is about 36; on any machine at least 4.
    assert default_max_kernels() >= 4
