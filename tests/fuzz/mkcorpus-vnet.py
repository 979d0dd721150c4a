#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes the seed corpus of tests/fuzz/vnet_fuzz.c: one file per case, a
flags byte, two le16 tap frame lengths, then a guest RAM image (receive
queue at 0x0/0x800/0xa00, transmit queue at 0x1000/0x1800/0x1a00, tap
frames copied from 0x3000; see the target's comment).
usage: tests/fuzz/mkcorpus-vnet.py DIR"""
import os
import struct
import sys

NEXT, WRITE, INDIRECT = 1, 2, 4
MRG, GUEST_OFF, HOST_OFF, IND, EVIDX = 8, 16, 32, 64, 128
RXQ, TXQ = 0x0, 0x1000


class Ram:
    def __init__(self, qlog=3, flags=0, frames=(0, 0)):
        self.qsize = 1 << qlog
        self.flags = qlog | flags
        self.frames = frames
        self.mem = bytearray(0x5000)
        self.avail = {RXQ: 0, TXQ: 0}

    def put(self, addr, data):
        self.mem[addr:addr + len(data)] = data

    def desc(self, q, i, addr, length, flags=0, nxt=0):
        self.put(q + 16 * i, struct.pack("<QIHH", addr, length, flags, nxt))

    def post(self, q, head):
        a = q + 0x800
        self.put(a + 4 + 2 * (self.avail[q] % self.qsize), struct.pack("<H", head))
        self.avail[q] += 1
        self.put(a + 2, struct.pack("<H", self.avail[q] & 0xffff))

    def hdr(self, addr, flags=0, gso=0, hdr_len=0, gso_size=0, cs=0, co=0):
        self.put(addr, struct.pack("<BBHHHHH", flags, gso, hdr_len, gso_size, cs, co, 0))

    def frame(self, addr, n):
        self.put(addr, bytes((i * 7) & 0xff for i in range(n)))

    def bytes(self):
        return struct.pack("<BHH", self.flags, *self.frames) + bytes(self.mem)


def cases():
    r = Ram(frames=(72, 0))  # one frame each way
    r.hdr(0x2000); r.frame(0x200c, 60); r.desc(TXQ, 0, 0x2000, 72); r.post(TXQ, 0)
    r.hdr(0x3000); r.frame(0x300c, 60)
    r.desc(RXQ, 0, 0x4000, 1526, WRITE); r.post(RXQ, 0)
    yield "basic", r

    r = Ram(flags=IND, frames=(100, 100))  # split and indirect
    r.hdr(0x2000); r.frame(0x2100, 100)
    r.desc(TXQ, 0, 0x2000, 12, NEXT, 1); r.desc(TXQ, 1, 0x2100, 50, NEXT, 2)
    r.desc(TXQ, 2, 0x2132, 50); r.post(TXQ, 0)
    r.put(0x2800, struct.pack("<QIHH", 0x2000, 12, NEXT, 1) + struct.pack("<QIHH", 0x2100, 100, 0, 0))
    r.desc(TXQ, 3, 0x2800, 32, INDIRECT); r.post(TXQ, 3)
    r.hdr(0x3000, flags=2); r.frame(0x300c, 88)
    r.desc(RXQ, 0, 0x4000, 12, WRITE | NEXT, 1); r.desc(RXQ, 1, 0x4100, 1514, WRITE)
    r.post(RXQ, 0)
    r.desc(RXQ, 2, 0x4800, 1526, WRITE); r.post(RXQ, 2)
    yield "split-indirect", r

    r = Ram(flags=MRG | GUEST_OFF, frames=(3012, 200))  # merged buffers
    r.hdr(0x3000, flags=1, cs=34, co=16); r.frame(0x300c, 3000)
    for i in range(3):
        r.desc(RXQ, i, 0x4000 + 0x400 * i, 0x400, WRITE); r.post(RXQ, i)
    yield "mergeable", r

    r = Ram(flags=HOST_OFF | EVIDX, frames=(0, 0))  # GSO and checksums out
    r.hdr(0x2000, flags=1, gso=1, hdr_len=54, gso_size=1448, cs=34, co=16)
    r.frame(0x200c, 2000); r.desc(TXQ, 0, 0x2000, 2012); r.post(TXQ, 0)
    r.hdr(0x2800, flags=1, cs=2000, co=16); r.desc(TXQ, 1, 0x2800, 72); r.post(TXQ, 1)
    yield "gso-tx", r

    r = Ram(frames=(8, 2000))  # bad frames: short, too long, bad header, bad head
    r.hdr(0x2000, flags=1, cs=34, co=6); r.desc(TXQ, 0, 0x2000, 72); r.post(TXQ, 0)
    r.desc(TXQ, 1, 0x2000, 5); r.post(TXQ, 1)
    r.desc(TXQ, 2, 0x2000, 3000); r.post(TXQ, 2)
    r.post(TXQ, 40)
    r.desc(RXQ, 0, 0x4000, 8, WRITE); r.post(RXQ, 0)
    yield "bad-frames", r

    r = Ram(flags=MRG, frames=(1000, 1000))  # no receive buffers at all
    r.hdr(0x3000)
    yield "rx-nobuf", r


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, r in cases():
        with open(os.path.join(out, name), "wb") as f:
            f.write(r.bytes())


if __name__ == "__main__":
    main()
