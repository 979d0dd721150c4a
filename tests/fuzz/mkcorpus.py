#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes the seed corpus of tests/fuzz/virtq_fuzz.c: one file per case,
a flags byte then a guest RAM image (descriptor table at 0x0, avail ring
at 0x800, used ring at 0xa00; see the target's comment).
usage: tests/fuzz/mkcorpus.py DIR"""
import os
import struct
import sys

DESC, AVAIL = 0x0, 0x800
NEXT, WRITE, INDIRECT = 1, 2, 4
IN, OUT, FLUSH, GET_ID, DISCARD, WZ = 0, 1, 4, 8, 11, 13


class Ram:
    def __init__(self, qsize_log2=3, indirect=True, event_idx=False, ro=False):
        self.qsize = 1 << qsize_log2
        self.flags = (qsize_log2 << 3) | (1 if indirect else 0) | (2 if event_idx else 0) | (4 if ro else 0)
        self.mem = bytearray(0x8000)
        self.avail = 0

    def put(self, addr, data):
        self.mem[addr:addr + len(data)] = data

    def desc(self, i, addr, length, flags=0, nxt=0, table=DESC):
        self.put(table + 16 * i, struct.pack("<QIHH", addr, length, flags, nxt))

    def post(self, head):
        self.put(AVAIL + 4 + 2 * (self.avail % self.qsize), struct.pack("<H", head))
        self.avail += 1
        self.put(AVAIL + 2, struct.pack("<H", self.avail & 0xffff))

    def hdr(self, addr, typ, sector):
        self.put(addr, struct.pack("<IIQ", typ, 0, sector))

    def request(self, first, typ, sector, data_len=0, dev_writes=True, hdr=0x1000, data=0x2000, status=0x3000):
        self.hdr(hdr, typ, sector)
        if data_len:
            self.desc(first, hdr, 16, NEXT, first + 1)
            self.desc(first + 1, data, data_len, NEXT | (WRITE if dev_writes else 0), first + 2)
            self.desc(first + 2, status, 1, WRITE)
        else:
            self.desc(first, hdr, 16, NEXT, first + 1)
            self.desc(first + 1, status, 1, WRITE)
        self.post(first)

    def bytes(self):
        return bytes([self.flags]) + bytes(self.mem)


def cases():
    r = Ram(); r.request(0, IN, 1, 512); yield "read", r
    r = Ram(); r.put(0x2000, b"\xab" * 1024); r.request(0, OUT, 2, 1024, False); yield "write", r
    r = Ram(); r.request(0, FLUSH, 0); yield "flush", r
    r = Ram(); r.request(0, GET_ID, 0, 20); yield "get-id", r
    r = Ram(); r.put(0x2000, struct.pack("<QII", 4, 2, 0) + struct.pack("<QII", 8, 1, 0))
    r.request(0, DISCARD, 0, 32, False); yield "discard", r
    r = Ram(); r.put(0x2000, struct.pack("<QII", 4, 2, 1)); r.request(0, WZ, 0, 16, False); yield "write-zeroes", r
    r = Ram(); r.request(0, 0x55, 0, 16); yield "unknown-type", r
    r = Ram(); r.request(0, IN, 64, 512); yield "past-end", r
    r = Ram(); r.request(0, IN, 0xffffffffffffffff, 512); yield "sector-max", r
    r = Ram(); r.request(0, IN, 0, 100); yield "unaligned", r
    r = Ram(ro=True); r.request(0, OUT, 0, 512, False); yield "ro-write", r
    # Several requests at once, EVENT_IDX, a bigger queue.
    r = Ram(qsize_log2=5, event_idx=True)
    for i in range(6):
        r.request(3 * i, [IN, OUT, FLUSH, GET_ID, IN, OUT][i], i, 512 if i != 2 else 0,
                  i in (0, 3, 4), hdr=0x1000 + 32 * i, data=0x2000 + 0x200 * i, status=0x3000 + i)
    r.put(AVAIL + 4 + 2 * 32, struct.pack("<H", 3))
    yield "batch-event-idx", r
    # Header split over two descriptors, data and status in one.
    r = Ram(); r.hdr(0x1000, IN, 3)
    r.desc(0, 0x1000, 5, NEXT, 1); r.desc(1, 0x1005, 11, NEXT, 2); r.desc(2, 0x2000, 513, WRITE)
    r.post(0); yield "split-header", r
    # Indirect table.
    r = Ram(); r.hdr(0x1000, IN, 5)
    r.desc(0, 0x1000, 16, NEXT, 1, table=0x4000); r.desc(1, 0x2000, 512, NEXT | WRITE, 2, table=0x4000)
    r.desc(2, 0x3000, 1, WRITE, 0, table=0x4000); r.desc(0, 0x4000, 48, INDIRECT); r.post(0)
    yield "indirect", r
    # Malformed rings.
    r = Ram(); r.desc(0, 0x1000, 16, NEXT, 1); r.desc(1, 0x1000, 16, NEXT, 0); r.post(0); yield "loop", r
    r = Ram(); r.post(9); yield "bad-head", r
    r = Ram(); r.desc(0, 0x1000, 16, NEXT, 200); r.post(0); yield "bad-next", r
    r = Ram(); r.desc(0, 0x1000, 16, NEXT, 1); r.desc(1, 0xfffffffffffff000, 0x2000, WRITE); r.post(0); yield "wrap", r
    r = Ram(); r.desc(0, 0x1000, 16, NEXT, 1); r.desc(1, 0x100, 0xffffffff, WRITE); r.post(0); yield "huge", r
    r = Ram(); r.desc(0, 0x4100, 16, INDIRECT, table=0x4000); r.desc(0, 0x4000, 16, INDIRECT); r.post(0); yield "nested-indirect", r
    r = Ram(); r.desc(0, 0x4000, 24, INDIRECT); r.post(0); yield "indirect-len", r
    r = Ram(); r.put(AVAIL + 2, struct.pack("<H", 9)); yield "avail-jump", r
    r = Ram(); r.desc(0, 0x1000, 16); r.post(0); yield "no-status", r
    r = Ram(); r.desc(0, 0x3000, 1, WRITE | NEXT, 1); r.desc(1, 0x1000, 16); r.post(0); yield "read-after-write", r
    r = Ram(indirect=False); r.desc(0, 0x4000, 16, INDIRECT); r.post(0); yield "indirect-unnegotiated", r


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, r in cases():
        with open(os.path.join(out, name), "wb") as f:
            f.write(r.bytes().rstrip(b"\0") or b"\0")


main()
