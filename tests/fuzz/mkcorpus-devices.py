#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes the seed corpora of tests/fuzz/virtio_mmio_fuzz.c,
serial8250_fuzz.c, loader_fuzz.c and gdb_cmd_fuzz.c (issue 19): the input
formats are in each target's comment. gdb_cmd's seeds are the packets of
the gdb_packet corpus (real gdb sessions), decoded, plus hostile ones.
usage: tests/fuzz/mkcorpus-devices.py CORPUS_DIR [GUEST_ELF]"""
import re
import os
import struct
import sys

# --- virtio-mmio: OP, OFF (LE16), VALUE (LE32) -------------------------------
MAGIC, VERSION, DEVICE_ID, DEV_FEAT, DEV_FEAT_SEL = 0x0, 0x4, 0x8, 0x10, 0x14
DRV_FEAT, DRV_FEAT_SEL, QSEL, QNUM_MAX, QNUM = 0x20, 0x24, 0x30, 0x34, 0x38
QREADY, QNOTIFY, ISR, IACK, STATUS = 0x44, 0x50, 0x60, 0x64, 0x70
QDESC, QDRV, QDEV, QRESET, GEN = 0x80, 0x90, 0xa0, 0xc0, 0xfc


def w(off, v):
    return struct.pack("<BHI", 0, off, v & 0xffffffff)


def r(off):
    return struct.pack("<BHI", 1, off, 0)


def odd(off, size, write, v=0x41424344):
    return struct.pack("<BHI", 2 | ((size - 1) << 3) | (0x80 if write else 0), off, v)


def poke(addr, v):
    return struct.pack("<BHI", 3, addr // 4, v & 0xffffffff)


def poke_bytes(addr, data):
    data = data + b"\0" * (-len(data) % 4)
    return b"".join(poke(addr + i, struct.unpack_from("<I", data, i)[0])
                    for i in range(0, len(data), 4))


def serve():
    return struct.pack("<BHI", 4, 0, 0)


def notify(q=0):
    return struct.pack("<BHI", 5, 0, q)


def driver_init(qnum=8, features_hi=1, features_lo=0, ready=True):
    ops = [w(STATUS, 0), w(STATUS, 1), w(STATUS, 3), r(MAGIC), r(VERSION),
           r(DEVICE_ID), w(DEV_FEAT_SEL, 0), r(DEV_FEAT), w(DEV_FEAT_SEL, 1),
           r(DEV_FEAT), w(DRV_FEAT_SEL, 0), w(DRV_FEAT, features_lo),
           w(DRV_FEAT_SEL, 1), w(DRV_FEAT, features_hi), w(STATUS, 0xb),
           r(STATUS), w(QSEL, 0), r(QNUM_MAX), w(QNUM, qnum), w(QDESC, 0x0),
           w(QDESC + 4, 0), w(QDRV, 0x800), w(QDRV + 4, 0), w(QDEV, 0xa00),
           w(QDEV + 4, 0)]
    if ready:
        ops += [w(QREADY, 1), w(STATUS, 0xf)]
    return b"".join(ops)


def desc(i, addr, length, flags=0, nxt=0):
    return poke_bytes(16 * i, struct.pack("<QIHH", addr, length, flags, nxt))


def request(kind, sector=0, data_len=512, head=0, avail_idx=1):
    """A three-descriptor request: header, data, status."""
    ops = poke_bytes(0x1000, struct.pack("<IIQ", kind, 0, sector))
    ops += desc(head, 0x1000, 16, 1, head + 1)
    ops += desc(head + 1, 0x2000, data_len, 1 | (2 if kind == 0 else 0), head + 2)
    ops += desc(head + 2, 0x3000, 1, 2)
    ops += poke_bytes(0x800, struct.pack("<HHH", 0, avail_idx, head))
    return ops


def mmio_corpus():
    c = {}
    c["init-only"] = b"\0" + driver_init()
    c["read-sector"] = b"\0" + driver_init() + request(0) + notify() + serve() + r(ISR) + w(IACK, 1)
    c["write-sector"] = b"\0" + driver_init() + poke_bytes(0x2000, b"tessera" * 8) + request(1, 3) + serve()
    c["write-ro"] = b"\1" + driver_init() + request(1) + serve() + r(STATUS)
    c["flush-getid"] = b"\0" + driver_init() + request(4) + serve() + request(8, head=3, avail_idx=2) + serve()
    c["reset-midway"] = b"\0" + driver_init() + request(0) + w(STATUS, 0) + serve() + driver_init() + serve()
    c["ready-early"] = b"\0" + w(STATUS, 1) + w(QREADY, 1) + w(QNUM, 0xffff) + w(QREADY, 1) + serve()
    c["bad-qnum"] = b"\0" + driver_init(qnum=3) + driver_init(qnum=0) + driver_init(qnum=1 << 16) + serve()
    c["no-version1"] = b"\0" + driver_init(features_hi=0) + request(0) + serve()
    c["odd-sizes"] = b"\0" + b"".join(odd(o, s, wr) for o in (0, 1, 0x70, 0x100, 0x107, 0x1fe)
                                      for s in (1, 2, 3, 4, 8) for wr in (False, True))
    c["config-space"] = b"\0" + driver_init() + b"".join(r(0x100 + 4 * i) for i in range(16)) + r(GEN) + w(0x100, 5)
    c["queue-select-high"] = b"\0" + w(QSEL, 7) + r(QNUM_MAX) + w(QNUM, 8) + w(QREADY, 1) + w(QSEL, 0xffffffff) + r(QREADY) + notify(0xffff)
    c["loop-chain"] = b"\0" + driver_init() + desc(0, 0x1000, 16, 1, 1) + desc(1, 0x2000, 16, 1, 0) + poke_bytes(0x800, struct.pack("<HHH", 0, 1, 0)) + serve()
    c["rings-outside-ram"] = b"\0" + driver_init() + w(QREADY, 0) + w(QDESC, 0xfff0) + w(QDESC + 4, 0xffffffff) + w(QREADY, 1) + w(QRESET, 1) + serve()
    c["needs-reset"] = b"\0" + driver_init() + poke_bytes(0x800, struct.pack("<HHH", 0, 200, 77)) + serve() + r(STATUS) + r(ISR) + w(STATUS, 0) + r(STATUS)
    return c


# --- 16550A: OP, A, B ---------------------------------------------------------
def sw(reg, v, size=0):
    return bytes([0 | (size << 2), reg, v])


def sr(reg, size=0):
    return bytes([1 | (size << 2), reg, 0])


def recv(data):
    return bytes([2, 0, len(data)]) + data


def space():
    return bytes([3, 0, 0])


def serial_corpus():
    linux = sw(3, 0x80) + sw(0, 1) + sw(1, 0) + sw(3, 3) + sw(2, 0xc7) + sw(4, 0x0b) + sw(1, 0x0f)
    c = {}
    c["linux-init"] = linux + sr(5) + sr(2) + sr(6)
    c["tx-hello"] = linux + b"".join(sw(0, ch) for ch in b"hello\n") + sr(2) + sr(5)
    c["rx-fifo"] = linux + recv(b"0123456789abcdef") + space() + sr(2) + b"".join(sr(0) for _ in range(17)) + sr(5)
    c["rx-overrun"] = sw(2, 0) + sw(1, 0x05) + recv(b"abc") + sr(5) + sr(2) + sr(5)
    c["trigger-levels"] = b"".join(sw(2, 0x01 | (t << 6)) + recv(b"x" * (t * 4 + 1)) + sr(2) for t in range(4))
    c["loopback"] = linux + sw(4, 0x10) + sw(0, 0x55) + sr(0) + sr(6) + sr(5)
    c["dlab-scratch"] = sw(3, 0x80) + sr(0) + sr(1) + sw(7, 0xaa) + sr(7) + sw(3, 0) + sr(0)
    c["wide-access"] = sw(0, 0x41, 3) + sr(0, 3) + sw(5, 0xff, 2) + sr(2, 2) + sw(6, 0, 1)
    c["fifo-toggle"] = linux + recv(b"abcdefgh") + sw(2, 0) + space() + sr(0) + sw(2, 0x07) + recv(b"zz") + sr(2)
    c["iir-thri"] = sw(1, 0x02) + sr(2) + sw(0, 1) + sr(2) + sr(2) + sw(1, 0) + sw(1, 2) + sr(2)
    return c


# --- loaders: selector byte, then the image -----------------------------------
def elf(phdrs, entry=0x100000, payload=b"\xf4" * 16, shrink=0):
    """An ELF64 x86-64 executable: phdrs are (type, off, paddr, filesz, memsz)."""
    ehdr_len, ph_len = 64, 56
    body_off = ehdr_len + ph_len * len(phdrs)
    ehdr = struct.pack("<4sBBBBB7sHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 0, b"\0" * 7,
                       2, 62, 1, entry, ehdr_len, 0, 0, ehdr_len, ph_len, len(phdrs), 64, 0, 0)
    ph = b"".join(struct.pack("<IIQQQQQQ", t, 7, body_off + off, paddr, paddr, fs, ms, 0x1000)
                  for (t, off, paddr, fs, ms) in phdrs)
    img = ehdr + ph + payload
    return img[:len(img) - shrink] if shrink else img


def note(name, ntype, desc):
    n = name.encode() + b"\0"
    pad = lambda b: b + b"\0" * (-len(b) % 4)
    return struct.pack("<III", len(n), len(desc), ntype) + pad(n) + pad(desc)


def bzimage(version=0x020f, xload=1, loadflags=1, setup_sects=4, pm=4096, init_size=0x200000,
            syssize=None, jump=0x6a):
    img = bytearray((setup_sects + 1) * 512 + pm)
    hdr = struct.pack("<BHIHHHHHIHIHHBBHIIIIHBBIIIBBHI", setup_sects, 0,
                      (pm // 16) if syssize is None else syssize, 0, 0, 0, 0xaa55, 0,
                      0x53726448, version, 0, 0, 0, 0, loadflags, 0, 0x100000, 0, 0, 0, 0, 0, 0,
                      0, 0x7fffffff, 0x200000, 1, 0, xload, 2047)
    img[0x1f1:0x1f1 + len(hdr)] = hdr
    img[0x201] = jump
    struct.pack_into("<I", img, 0x260, init_size)
    img[0x200] = 0xeb
    return bytes(img)


def loader_corpus(guest):
    c = {}
    load = [(1, 0, 0x100000, 16, 32)]
    c["elf-one"] = b"\0" + elf(load)
    c["elf-two"] = b"\0" + elf([(1, 0, 0x100000, 8, 8), (1, 8, 0x180000, 8, 0x1000)])
    c["elf-reserved"] = b"\0" + elf([(1, 0, 0x800, 16, 16)])
    c["elf-outside"] = b"\0" + elf([(1, 0, 0x1ffff8, 16, 16)])
    c["elf-wrap"] = b"\0" + elf([(1, 0, 0xfffffffffffffff0, 16, 0x20)])
    c["elf-filesz-gt-memsz"] = b"\0" + elf([(1, 0, 0x100000, 16, 8)])
    c["elf-offset-past-end"] = b"\0" + elf([(1, 0x10000, 0x100000, 16, 16)])
    c["elf-truncated"] = b"\0" + elf(load, shrink=20)
    c["elf-overlap"] = b"\0" + elf([(1, 0, 0x100000, 16, 16), (1, 0, 0x100008, 16, 16)])
    pvh = note("Xen", 18, struct.pack("<Q", 0x100000))
    c["note-pvh"] = b"\2" + elf([(4, 0, 0, len(pvh), len(pvh)), (1, 0, 0x100000, 16, 16)], payload=pvh + b"\xf4" * 16)
    c["note-short"] = b"\2" + elf([(4, 0, 0, 12, 12)], payload=note("Xen", 18, b"\1\2"))
    c["note-huge-namesz"] = b"\2" + elf([(4, 0, 0, 24, 24)], payload=struct.pack("<III", 0xfffffff0, 8, 18) + b"Xen\0" + b"\0" * 8)
    c["bz-good"] = b"\1" + bzimage()
    c["bz-old"] = b"\1" + bzimage(version=0x0204)
    c["bz-32bit"] = b"\1" + bzimage(xload=0)
    c["bz-truncated"] = b"\1" + bzimage(syssize=0x10000)
    c["bz-no-pm"] = b"\1" + bzimage(pm=0)
    c["bz-big-init"] = b"\1" + bzimage(init_size=0xffffffff)
    c["bz-jump"] = b"\1" + bzimage(jump=0xff)
    c["bz-sects0"] = b"\1" + bzimage(setup_sects=0)
    c["raw-low"] = b"\3" + struct.pack("<I", 0x100000) + b"\x90" * 64 + b"\xf4"
    c["raw-end"] = b"\3" + struct.pack("<I", 0x1fffff) + b"\x90" * 64
    c["raw-reserved"] = b"\3" + struct.pack("<I", 0) + b"\x90" * 64
    if guest:
        with open(guest, "rb") as f:
            c["elf-guest"] = b"\0" + f.read()
    return c


# --- gdb commands: selector, then (LE16 length, packet)* ---------------------
def packets(raw):
    out = []
    for m in re.finditer(rb"\$([^#$]*)#", raw):
        body, dec, i = m.group(1), bytearray(), 0
        while i < len(body):
            if body[i] == 0x7d and i + 1 < len(body):
                dec.append(body[i + 1] ^ 0x20)
                i += 2
            else:
                dec.append(body[i])
                i += 1
        out.append(bytes(dec))
    return out


def gdb_input(sel, pkts):
    return bytes([sel]) + b"".join(struct.pack("<H", len(p)) + p for p in pkts)


def gdb_corpus(packet_dir):
    c = {}
    if os.path.isdir(packet_dir):
        for name in sorted(os.listdir(packet_dir)):
            with open(os.path.join(packet_dir, name), "rb") as f:
                pkts = packets(f.read())
            if pkts:
                c["from-" + name] = gdb_input(0x09 if name.startswith("session") else 0x01, pkts)
    hostile = [b"m0,ffffffffffffffff", b"M0,4:zz", b"Mffffffffffffffff,8:0011223344556677",
               b"X0,10:" + bytes(range(16)), b"X100000,4000:", b"Z0,0,1", b"Z1,ffffffffffffff00,1",
               b"Z2,100000,0", b"Z2,100000,ffffffff", b"Z4,100001,7", b"Z9,0,0", b"z0,0,1",
               b"Hg99", b"Hc-1", b"Hg0", b"T0", b"T7fffffffffffffff", b"p", b"pffffffff", b"P0=", b"P10=" + b"1" * 40,
               b"G" + b"0" * 3000, b"G" + b"zz", b"vCont;s:1;c", b"vCont;s:99", b"vCont;x", b"vCont;c:-1;s:1",
               b"qXfer:features:read:target.xml:ffffffff,ffffffff", b"qXfer:features:read:../../etc:0,10",
               b"qThreadExtraInfo,ffff", b"qRcmd,6869", b"QStartNoAckMode", b"c100000", b"s", b"C05", b"S0b;100",
               b"?", b"D", b"D;1", b"k", b"vKill;1", b"vMustReplyEmpty", b"", b"\x00\xff"]
    for sel in (0x00, 0x07, 0x1c, 0x23):
        c["hostile-%02x" % sel] = gdb_input(sel, hostile)
    bps = [b"Z0,101000,1", b"Z0,101000,1", b"Z1,102000,1", b"Z2,103000,8", b"Z3,103008,4", b"Z4,104000,2",
           b"c", b"?", b"s", b"z0,101000,1", b"z2,103000,8", b"D"]
    for sel in (0x01, 0x05, 0x19):
        c["breakpoints-%02x" % sel] = gdb_input(sel, bps + [b"Z0,%x,1" % (0x100000 + i) for i in range(70)] + [b"c"])
    return c


def write(d, files):
    os.makedirs(d, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    write(os.path.join(root, "virtio_mmio"), mmio_corpus())
    write(os.path.join(root, "serial8250"), serial_corpus())
    write(os.path.join(root, "loader"), loader_corpus(sys.argv[2] if len(sys.argv) > 2 else None))
    write(os.path.join(root, "gdb_cmd"), gdb_corpus(os.path.join(root, "gdb_packet")))


if __name__ == "__main__":
    main()
