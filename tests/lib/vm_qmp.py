#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Send QMP commands to a QEMU monitor socket; exit 1 if any returns an error.

usage: vm_qmp.py SOCKET '{"execute": ...}' ...   (qmp_capabilities is sent first)
"""
import json
import socket
import sys


def qmp_call(f, cmd):
    f.write(json.dumps(cmd) + "\n")
    f.flush()
    while True:  # events may come before the answer
        line = f.readline()
        if not line:
            raise RuntimeError("QMP socket closed")
        msg = json.loads(line)
        if "return" in msg or "error" in msg:
            return msg


def main():
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(30)
    sock.connect(sys.argv[1])
    f = sock.makefile("rw")
    json.loads(f.readline())  # greeting
    ok = True
    for text in [json.dumps({"execute": "qmp_capabilities"})] + sys.argv[2:]:
        reply = qmp_call(f, json.loads(text))
        print("qmp: %s -> %s" % (text, json.dumps(reply)))
        ok = ok and "error" not in reply
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
