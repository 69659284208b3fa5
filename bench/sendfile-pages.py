#!/usr/bin/env python3
"""Why zeroCopyReads was withdrawn (README "Zero-copy reads"): sendfile on a loopback TCP socket leaves
references to the page-cache pages in the sockets' queues, also after the sender's SIOCOUTQ (bytes not
yet acknowledged) has reached 0. The receiver reads a little at a time until the sender has nothing
unacknowledged, then the file is overwritten; the bytes the receiver gets afterwards show the overwrite.
Prints how many of them are new (0 would mean the kernel copied them). Linux only; run: python3 THIS."""
import fcntl
import os
import socket
import struct
import tempfile
import termios

N = 256 * 1024
with tempfile.TemporaryFile() as f:
    fd = f.fileno()
    os.pwrite(fd, b"A" * N, 0)
    os.pread(fd, N, 0)                                   # cached, as the target required
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    receiver = socket.create_connection(listener.getsockname())
    sender, _ = listener.accept()
    sender.setblocking(False)
    sent, got = 0, b""
    while True:
        if sent < N:
            try:
                sent += os.sendfile(sender.fileno(), fd, sent, N - sent)
            except BlockingIOError:
                pass
        outq = struct.unpack("i", fcntl.ioctl(sender.fileno(), termios.TIOCOUTQ, b"\0" * 4))[0]
        if sent == N and outq == 0:
            break
        got += receiver.recv(4096)
    print(f"sendfile done and SIOCOUTQ 0; the receiver has read {len(got)} of {N} bytes")
    before = len(got)
    os.pwrite(fd, b"B" * N, 0)                           # a later WRITE of the same blocks
    while len(got) < N:
        got += receiver.recv(1 << 20)
    print(f"of the {N - before} bytes read after the overwrite, {got[before:].count(b'B')} are the new data")
