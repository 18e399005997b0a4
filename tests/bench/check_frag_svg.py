#!/usr/bin/env python3
"""check_frag_svg.py RTMEM TRACE WORKDIR: `rtmem frag --svg` on copies of TRACE whose names hold what
a file name may and XML may not (a control byte, markup characters, a UTF-8 name cut by the title's
length limit, bytes that are not UTF-8); passes iff every SVG is well-formed XML (xml.etree) and its
title shows the name with '?' for what XML cannot carry. Then `rtmem frag --ops N --svg` on short
runs: the op axis is labelled with integer op numbers only, at most 7 ticks up to N (with fewer
than 6 ops it was labelled 0, 0.5, 1, ...; 13 to 15 ops gave 2.5, 7.5, ...). Exit 0 pass, 1 fail."""
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

rtmem, trace, work = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(work, exist_ok=True)
# (name, what the title must start with after "rtmem frag: trace "): the title is "trace NAME" cut to
# 255 bytes, so with a 4-byte prefix 2-byte characters start at even offsets and byte 255 cuts one.
cases = [
    (b"a\x01b\x7fc<&\"'\t.trace", "a?b?c<&\"'\t.trace, "),
    (b"\x01<&'" + "\u00e9".encode() * 124, "?<&'" + "\u00e9" * 122),
    (b"bad\xff\xc3(.trace", "bad??(.trace, "),
]
ok = True
for i, (name, want) in enumerate(cases):
    path = os.path.join(work.encode(), name)
    shutil.copyfile(trace, path)
    svg = os.path.join(work, "t%d.svg" % i)
    r = subprocess.run([rtmem.encode(), b"frag", b"--trace", name, b"--svg", svg.encode()], cwd=work,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    os.unlink(path)
    if r.returncode != 0:
        print("case %d: rtmem frag exited %d: %s" % (i, r.returncode, r.stdout.decode(errors="replace")))
        ok = False
        continue
    try:
        root = ET.parse(svg).getroot()
    except ET.ParseError as e:
        print("case %d: %s is not well-formed XML: %s" % (i, svg, e))
        ok = False
        continue
    title = next((t.text for t in root.iter("{http://www.w3.org/2000/svg}text")
                  if t.text and t.text.startswith("rtmem frag: ")), None)
    full = "rtmem frag: trace " + want
    if title is None or not title.startswith(full):
        print("case %d: title %r does not start with %r" % (i, title, full))
        ok = False
    elif i == 1 and not title.startswith(full + ", "):
        print("case %d: title %r: the cut name should end after %d characters" % (i, title, len(want)))
        ok = False
    else:
        print("case %d: ok: %r" % (i, title))

# The op axis: the x tick labels are the only texts centred under their tick (text-anchor="middle").
for n in (1, 3, 5, 14, 15, 40):
    svg = os.path.join(work, "ops%d.svg" % n)
    r = subprocess.run([rtmem, "frag", "--ops", str(n), "--svg", svg], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if r.returncode != 0:
        print("ops %d: rtmem frag exited %d: %s" % (n, r.returncode, r.stdout.decode(errors="replace")))
        ok = False
        continue
    root = ET.parse(svg).getroot()
    labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("text-anchor") == "middle"]
    per_panel = len(labels) // 3
    ticks = labels[:per_panel]
    if len(labels) != 3 * per_panel or labels != ticks * 3:
        print("ops %d: the three panels have different op ticks: %r" % (n, labels))
        ok = False
    elif not all(l.isdigit() for l in ticks):
        print("ops %d: op ticks that are not integer op numbers: %r" % (n, ticks))
        ok = False
    elif not 2 <= len(ticks) <= 7 or int(ticks[0]) != 0 or int(ticks[-1]) > n:
        print("ops %d: op ticks %r: want 2 to 7 ticks from 0 to at most %d" % (n, ticks, n))
        ok = False
    else:
        print("ops %d: ok: %s" % (n, " ".join(ticks)))
sys.exit(0 if ok else 1)
