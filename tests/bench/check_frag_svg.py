#!/usr/bin/env python3
"""check_frag_svg.py RTMEM TRACE WORKDIR: `rtmem frag --svg` on copies of TRACE whose names hold what
a file name may and XML may not (a control byte, markup characters, a UTF-8 name cut by the title's
length limit, bytes that are not UTF-8); passes iff every SVG is well-formed XML (xml.etree) and its
title shows the name with '?' for what XML cannot carry. Then `rtmem frag --ops N --svg` on short
runs: the op axis is labelled with integer op numbers only, at most 7 ticks up to N (with fewer
than 6 ops it was labelled 0, 0.5, 1, ...; 13 to 15 ops gave 2.5, 7.5, ...). Exit 0 pass, 1 fail.

check_frag_svg.py --axes RTMEM SVG [FRAG ARGS...] [--case SVG [FRAG ARGS...]]...: for each case runs
`RTMEM frag ARGS --svg SVG` and checks the
plot against the table it prints: well-formed XML with no nan/inf; in each of the three panels
(fragmentation %, used bytes in the unit its title names, free blocks) the y tick labels start at 0,
are distinct, rise as they go up the page, in equal steps of 1, 2 or 5 x 10^k, are integers on the
used and free-block panels (counts: a free-block axis up to 1 was labelled 0, 0.2, 0.4, ...), and
the top one covers the panel's largest value with less than one step to spare (fragmentation: or
is 1 %); every plotted point lies inside its panel, and a series of one sample, which a polyline
cannot show, has a marker. Exit 0 pass, 1 fail."""
import math
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

SVG_NS = "{http://www.w3.org/2000/svg}"
SUFFIX = {"": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18}
UNITS = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40, "PiB": 2**50, "EiB": 2**60}


def label_value(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([kMGTPE]?)", text or "")
    return None if m is None else float(m.group(1)) * SUFFIX[m.group(2)]


def is_nice(step):
    """step = 1, 2 or 5 x 10^k, k an integer"""
    if step <= 0:
        return False
    k = math.floor(math.log10(step))
    return any(math.isclose(step, m * 10.0 ** e, rel_tol=1e-9) for m in (1, 2, 5) for e in (k - 1, k, k + 1))


def table_maxima(out):
    """Per panel, the largest value of the table rows (op | frag used live blks | ...): frag %,
    used or live bytes, free blocks; and the number of samples (rows)."""
    frag = used = blks = 0.0
    rows = 0
    for line in out.splitlines():
        cells = line.split("|")
        if len(cells) < 2 or not re.fullmatch(r" *\d+ *", cells[0]):
            continue
        rows += 1
        for c in cells[1:]:
            f, u, l, b = c.split()
            frag, used, blks = max(frag, float(f)), max(used, int(u), int(l)), max(blks, int(b))
    return [frag, used, blks], rows


def check_axes(rtmem, svg, args):
    """The --axes mode; returns a list of problems."""
    r = subprocess.run([rtmem, "frag"] + args + ["--svg", svg], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = r.stdout.decode(errors="replace")
    if r.returncode != 0:
        return ["rtmem frag exited %d: %s" % (r.returncode, out)]
    text = open(svg, "rb").read().decode()
    if re.search(r"nan|inf", text, re.I):
        return ["the SVG holds nan or inf"]
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        return ["not well-formed XML: %s" % e]
    maxima, rows = table_maxima(out)
    if rows == 0:
        return ["no table rows in the output:\n" + out]
    # the elements in document order, cut into panels at each panel title (bold, 14 px)
    panels = []
    for el in root:
        if el.tag == SVG_NS + "text" and el.get("font-size") == "14":
            panels.append([el])
        elif panels:
            panels[-1].append(el)
    problems = []
    kinds = ("external fragmentation", "used (", "free blocks")
    if len(panels) != 3 or not all(p[0].text.startswith(k) for p, k in zip(panels, kinds)):
        return ["want three panels %r, got %r" % (kinds, [p[0].text for p in panels])]
    for pi, (panel, kind) in enumerate(zip(panels, kinds)):
        name = kind.rstrip(" (")
        before = len(problems)
        unit = 1
        if pi == 1:
            m = re.match(r"used \((\w+),", panel[0].text)
            if m is None or m.group(1) not in UNITS:
                problems.append("%s: no unit in the title %r" % (name, panel[0].text))
                continue
            unit = UNITS[m.group(1)]
        rect = next(e for e in panel if e.tag == SVG_NS + "rect")
        rx, ry, rw, rh = (float(rect.get(a)) for a in ("x", "y", "width", "height"))
        ticks = [e for e in panel if e.tag == SVG_NS + "text" and e.get("font-size") == "11"
                 and e.get("text-anchor") == "end" and e.text != "ops"]
        labels = [t.text for t in ticks]
        vals = [label_value(l) for l in labels]
        ys = [float(t.get("y")) for t in ticks]
        want_max = maxima[pi] / unit
        where = "%s: y ticks %s" % (name, " ".join(map(str, labels)))
        if None in vals:
            problems.append("%s: a label that is not a number" % where)
            continue
        steps = [b - a for a, b in zip(vals, vals[1:])]
        if len(vals) < 2 or vals[0] != 0:
            problems.append("%s: want at least 2 ticks from 0" % where)
        elif len(set(labels)) != len(labels):
            problems.append("%s: duplicate labels" % where)
        elif any(b >= a for a, b in zip(ys, ys[1:])):
            problems.append("%s: ticks do not rise up the page (y %r)" % (where, ys))
        elif any(s <= 0 for s in steps):
            problems.append("%s: not increasing" % where)
        elif any(not math.isclose(s, steps[0], rel_tol=1e-6) for s in steps) or not is_nice(steps[0]):
            problems.append("%s: steps are not one nice number (1, 2 or 5 x 10^k)" % where)
        elif len(steps) > 6:
            problems.append("%s: more than 6 steps" % where)
        elif pi > 0 and any(v != int(v) for v in vals):
            problems.append("%s: a count axis with ticks that are not integers" % where)
        elif vals[-1] < want_max:
            problems.append("%s: the top tick is below the largest value %g" % (where, want_max))
        elif vals[-1] - steps[0] >= want_max and len(steps) > 1 and not (pi == 0 and vals[-1] <= 1):
            problems.append("%s: more than one step above the largest value %g" % (where, want_max))
        # every point inside the plot area; one-point polylines have a marker at that point
        dots = {(e.get("cx"), e.get("cy")) for e in panel if e.tag == SVG_NS + "circle"}
        for e in panel:
            if e.tag == SVG_NS + "polyline":
                pts = [tuple(p.split(",")) for p in e.get("points").split()]
            elif e.tag == SVG_NS + "circle":
                pts = [(e.get("cx"), e.get("cy"))]
            else:
                continue
            for x, y in pts:
                if not (rx - 0.1 <= float(x) <= rx + rw + 0.1 and ry - 0.1 <= float(y) <= ry + rh + 0.1):
                    problems.append("%s: point %s,%s outside the plot %g,%g %gx%g" % (name, x, y, rx, ry, rw, rh))
                    break
            if e.tag == SVG_NS + "polyline" and len(pts) < 2 and not (len(pts) == 1 and pts[0] in dots):
                problems.append("%s: a series of %d point(s) with no marker: invisible" % (name, len(pts)))
        if len(problems) == before:
            print("%s: ok: %s (max %g)" % (name, " ".join(labels), want_max))
    return problems


if len(sys.argv) >= 4 and sys.argv[1] == "--axes":
    # Several cases in one run (python's start costs about a second on the build machine, seven
    # times in each of make check's configurations): "--case SVG ARGS..." starts the next one.
    cases, cur = [], [sys.argv[3]]
    for a in sys.argv[4:]:
        if a == "--case":
            cases.append(cur)
            cur = []
        else:
            cur.append(a)
    cases.append(cur)
    problems = []
    for c in cases:
        if not c:
            problems.append("--case with no SVG path")
            continue
        problems += check_axes(sys.argv[2], c[0], c[1:])
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)

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
