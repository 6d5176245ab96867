#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the libFuzzer seed corpus (docs/fuzzing.md, "Corpus layout").

    mkcorpus.py FWIMAGE CORPUS_DIR

image/: the good image and every `fwimage --corrupt=KIND` variant, each
once as built (control byte 0x00) and once with build id and CRC repaired
by the target (0x03), so the seeds keep reaching the deep checks after the
firmware's build id changes. cmd/: valid streams of every command for each
entry point of fuzz_cmd.c (the 8-byte control block comes first).
Existing files (crash reproducers among them) are left alone.
"""
import os
import re
import struct
import subprocess
import sys
import tempfile

NOP, FILL, COPY, WRITE_VALUE = 0, 1, 2, 3
BUF_VA, RO_VA, STREAM_VA = 0x200000000, 0x300000000, 0x100000000
PAGE = 4096


def hdr(op, length, flags=0):
    return struct.pack('<HHI', op, length, flags)


def nop():
    return hdr(NOP, 8)


def fill(dst, size, value):
    return hdr(FILL, 24) + struct.pack('<QII', dst, size, value)


def copy(dst, src, size):
    return hdr(COPY, 32) + struct.pack('<QQQ', dst, src, size)


def write_value(addr, value):
    return hdr(WRITE_VALUE, 24) + struct.pack('<QQ', addr, value)


STREAMS = {
    'nop': nop() * 4,
    'fill': fill(BUF_VA + 1000, PAGE + 24, 0xdeadbeef),
    'copy': fill(BUF_VA, 2 * PAGE, 0x01020304) + copy(BUF_VA + 3 * PAGE, BUF_VA + 8, 2 * PAGE - 8),
    'write_value': write_value(BUF_VA + 8 * 17, 0x1122334455667788),
    'all': nop() + fill(BUF_VA, 64, 7) + copy(BUF_VA + PAGE, BUF_VA, 64) +
           write_value(BUF_VA + 2 * PAGE, 42),
    'fault': fill(BUF_VA, 16, 1) + fill(0x400000000, 16, 2),
    'perm': write_value(RO_VA, 1),
    'overlap': copy(BUF_VA + 8, BUF_VA, 64),
}


def desc(cmd_addr, cmd_size, slot=1, seqno=1):
    return struct.pack('<QIHHQ', cmd_addr, cmd_size, slot, 0, seqno) + bytes(40)


def control(mode, flags=0, c5=0, c6=0, c7=0):
    return bytes([mode | flags, 0xf, 0, 0, 0, c5, c6, c7])


def write(path, data):
    if not os.path.exists(path):
        with open(path, 'wb') as f:
            f.write(data)


def images(fwimage, out):
    os.makedirs(out, exist_ok=True)
    usage = subprocess.run([fwimage, '--help'], capture_output=True, text=True)
    kinds = re.findall(r'^  (\S+) +->', usage.stdout + usage.stderr, re.M)
    with tempfile.TemporaryDirectory() as tmp:
        for kind in [None] + kinds:
            name = kind or 'good'
            path = os.path.join(tmp, name + '.bin')
            args = [fwimage, '-o', path] + ([f'--corrupt={kind}'] if kind else [])
            subprocess.run(args, check=True)
            data = open(path, 'rb').read()
            write(os.path.join(out, f'{name}-raw'), b'\x00' + data)
            # Repairing build id and CRC would undo these two corruptions.
            if kind not in ('crc', 'build-id'):
                write(os.path.join(out, f'{name}-fixed'), b'\x03' + data)


def cmds(out):
    os.makedirs(out, exist_ok=True)
    for name, s in STREAMS.items():
        write(os.path.join(out, f'run-{name}'), control(0) + s)
        write(os.path.join(out, f'job-{name}'),
              control(1) + desc(STREAM_VA, len(s)) + s)
        # Two jobs on a ring of 4: the second one starts mid-stream.
        ring = desc(STREAM_VA, len(s), seqno=1) + desc(STREAM_VA, 8, seqno=2)
        write(os.path.join(out, f'queue-{name}'),
              control(2, c5=2, c6=2) + ring + s)
    # Head just below 2^32 so the indices wrap, and a stop request.
    ring = b''.join(desc(STREAM_VA, 8, seqno=i) for i in range(4))
    write(os.path.join(out, 'queue-wrap'), control(2, c5=3, c6=4, c7=5) + ring + nop())
    write(os.path.join(out, 'run-stop'), control(0, 0x10) + STREAMS['copy'])


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    fwimage, corpus = sys.argv[1:]
    images(fwimage, os.path.join(corpus, 'image'))
    cmds(os.path.join(corpus, 'cmd'))


if __name__ == '__main__':
    main()
