#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Records what a real gdb sends to tessera's gdb stub, for the seed corpus.

usage: capture_gdb_packets.py LISTEN_SOCKET STUB_SOCKET OUTDIR

Listens on the Unix socket LISTEN_SOCKET, forwards one gdb connection to
STUB_SOCKET (tessera --gdb unix:STUB_SOCKET) and, when it ends, writes into
OUTDIR each distinct packet gdb sent ("$...#cs", with the acks and Ctrl-C
bytes before it) as one file named after its command, and the whole stream
as session-N. How the corpus in tests/fuzz/corpus/gdb_packet was made:
run tessera with --gdb-wait, this proxy, and gdb with `target remote
LISTEN_SOCKET` and the commands of a debugging session.
"""
import hashlib, os, re, select, socket, sys

listen_path, stub_path, outdir = sys.argv[1:4]
os.makedirs(outdir, exist_ok=True)
if os.path.exists(listen_path):
    os.unlink(listen_path)
srv = socket.socket(socket.AF_UNIX)
srv.bind(listen_path)
srv.listen(1)
cli, _ = srv.accept()
stub = socket.socket(socket.AF_UNIX)
stub.connect(stub_path)
sent = b""
open_ = [cli, stub]
while len(open_) == 2:
    for s in select.select(open_, [], [], 30)[0]:
        data = s.recv(65536)
        if not data:
            open_ = []
            break
        if s is cli:
            sent += data
            stub.sendall(data)
        else:
            cli.sendall(data)
n = len([f for f in os.listdir(outdir) if f.startswith("session-")])
with open(os.path.join(outdir, f"session-{n}"), "wb") as f:
    f.write(sent)
for m in re.finditer(rb"[+\-\x03]*\$[^#]*#..", sent, re.S):
    pkt = m.group(0)
    cmd = re.sub(rb"[^A-Za-z0-9]", b"_", pkt.lstrip(b"+-\x03")[1:].split(b"#")[0][:24])
    name = cmd.decode() + "-" + hashlib.sha1(pkt).hexdigest()[:8]
    with open(os.path.join(outdir, name), "wb") as f:
        f.write(pkt)
