"""The bytes of carried values, read once per scope until a write (netviz.tracing.carried)."""

from __future__ import annotations

import threading

import torch

from netviz.tracing.carried import remembered_bytes, value_bytes, values_written
from netviz.tracing.meta import meta_values, value_of


def test_bytes_are_the_elements_bytes() -> None:
    value = torch.tensor([1.5, -2.0], dtype=torch.bfloat16)  # numpy knows no bfloat16
    assert value_bytes(value) == value.view(torch.int16).numpy().tobytes()
    assert value_bytes(torch.tensor([True, False])) == b"\x01\x00"


def test_bytes_are_read_once_in_a_scope_until_a_write() -> None:
    value = torch.arange(4)
    outside = value_bytes(value)
    assert value_bytes(value) is not outside  # no scope: read each time
    with remembered_bytes():
        first = value_bytes(value)
        assert value_bytes(value) is first  # read once
        value.add_(1)
        values_written()
        again = value_bytes(value)
        assert again is not first and again == torch.arange(1, 5).numpy().tobytes()
    assert value_bytes(value) is not again  # the scope's memory went with it


def test_a_write_under_meta_values_forgets_the_bytes_read() -> None:
    """meta_values says every writing op (in place, ``out=``), as a value's own writes
    (the model's in-place op on a meta tensor carrying one) bump no version counter."""
    with meta_values(), remembered_bytes():
        ids = torch.zeros(4, dtype=torch.int64, device="meta")
        count = torch.zeros(4, dtype=torch.int64, device="meta") + ids  # carries a value
        value = value_of(count)
        assert value is not None
        before = value_bytes(value)
        count.add_(3)  # written on its value, on the CPU, inside the dispatch mode
        assert value_of(count) is value
        assert value_bytes(value) != before
        assert value_bytes(value) == torch.full((4,), 3).numpy().tobytes()


def test_a_write_into_a_tensor_without_a_value_keeps_them() -> None:
    """Only a write into a value (or a real tensor, its own value) changes bytes: a
    decoder's ``index_add_`` into blank meta features leaves the rotary values' alone."""
    with meta_values(), remembered_bytes():
        ids = torch.zeros(4, dtype=torch.int64, device="meta")
        count = torch.zeros(4, dtype=torch.int64, device="meta") + ids
        value = value_of(count)
        assert value is not None
        before = value_bytes(value)
        features = torch.empty(4, 8, device="meta")  # no value
        features.index_add_(0, ids, torch.empty(4, 8, device="meta"))
        assert value_bytes(value) is before
        real = torch.zeros(2)
        real.add_(1)  # a real tensor is its own value: written
        assert value_bytes(value) is not before


def test_the_scope_is_this_threads() -> None:
    value = torch.arange(3)
    seen: list[bool] = []
    with remembered_bytes():
        first = value_bytes(value)

        def other() -> None:
            seen.append(value_bytes(value) is first)

        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
    assert seen == [False]
