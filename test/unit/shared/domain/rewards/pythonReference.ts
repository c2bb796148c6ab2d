/**
 * Independent Python implementations of the reward definitions and of the GT derivation, written for these
 * tests from the definitions (NumPy broadcasting, SciPy's linear_sum_assignment and distance_transform_edt,
 * Python's own json / re / str semantics), run through python3. Each call sends JSON lines and reads JSON lines.
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

export function hasScipy(): boolean {
  if (!existsSync('/usr/bin/python3')) return false
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import numpy, scipy.optimize, scipy.ndimage'], {
      stdio: 'ignore',
    })
    return true
  } catch {
    return false
  }
}

const PY_REWARDS = String.raw`
import sys, json, re, math
import numpy as np
from scipy.optimize import linear_sum_assignment
np.seterr(all='ignore')

def answer_text(s):
    m = re.search(r"<answer>\s*(.*?)\s*</answer>", s, re.DOTALL)
    return m.group(1) if m else None

def think_fmt(s):
    return 1.0 if re.fullmatch(r"<think>.*?</think>\s*<answer>.*?</answer>", s, re.DOTALL) is not None else 0.0

def seg_fmt(s):
    got = 0.0
    try:
        a = answer_text(s)
        if a is None:
            return 0.0
        objs = json.loads(a)
        count = len(objs)
        for o in objs:
            credit = 0.0
            if 'bbox_2d' in o:
                v = o['bbox_2d']
                if isinstance(v, list) and len(v) == 4:
                    credit += 1.0
            if 'point_2d' in o:
                v = o['point_2d']
                if isinstance(v, list) and len(v) == 2:
                    credit += 1.0
            got += credit / count
    except Exception:
        pass
    return got

def accuracy(s, gt):
    try:
        g = json.loads(gt)
        gboxes = [o['bbox_2d'] for o in g]
        gpts = [o['point_2d'] for o in g]
        a = answer_text(s)
        if a is None:
            return 0.0
        p = json.loads(a)
        pboxes = [o['bbox_2d'] for o in p]
        ppts = [o['point_2d'] for o in p]
        P, PP = np.array(pboxes[:120]), np.array(ppts[:120])
        G, GP = np.array(gboxes[:120]), np.array(gpts[:120])
        ax1, ay1, ax2, ay2 = np.split(P, 4, axis=1)
        bx1, by1, bx2, by2 = [c.T for c in np.split(G, 4, axis=1)]
        inter = np.maximum(0, np.minimum(ax2, bx2) - np.maximum(ax1, bx1) + 1) * \
                np.maximum(0, np.minimum(ay2, by2) - np.maximum(ay1, by1) + 1)
        union = (ax2 - ax1 + 1) * (ay2 - ay1 + 1) + (bx2 - bx1 + 1) * (by2 - by1 + 1) - inter
        iou_hit = (inter / union > 0.5).astype(float)
        l1_hit = (np.mean(np.abs(P[:, None, :] - G[None, :, :]), axis=2) < 10).astype(float)
        dist = np.sqrt(np.sum((PP[:, None, :] - GP[None, :, :]) ** 2, axis=2))
        inside = (PP[:, 0] >= P[:, 0]) & (PP[:, 0] <= P[:, 2]) & (PP[:, 1] >= P[:, 1]) & (PP[:, 1] <= P[:, 3])
        pt_hit = ((dist < 30) & inside[:, None]).astype(float)
        cost = 3.0 - (iou_hit + l1_hit + pt_hit)
        r, c = linear_sum_assignment(cost)
        return (3.0 * len(r) - cost[r, c].sum()) / max(len(P), len(G))
    except Exception:
        return 0.0

def non_repeat(s):
    seen, rep = set(), 0
    for piece in s.split('.'):
        t = piece.strip()
        if not t:
            continue
        if t in seen:
            rep += 1
        if rep >= 2:
            return 0.0
        seen.add(t)
    return 1.0

def first_obj(s):
    m = re.search(r'{[^}]+}', s)
    return json.loads(m.group(0)) if m else None

def v1_fmt(s):
    try:
        d = first_obj(s)
        if d is None:
            return 0.0
        bk, pks = None, []
        for k in d:
            if 'bbox' in k.lower() and bk is None:
                bk = k
            elif 'point' in k.lower():
                pks.append(k)
        if bk is None or len(pks) < 2 or len(d[bk]) != 4:
            return 0.0
        return 0.0 if any(len(d[k]) != 2 for k in pks[:2]) else 1.0
    except Exception:
        return 0.0

def gt_box(gt):
    m = re.search(r'<box>\((\d+),(\d+)\),\((\d+),(\d+)\)</box>', gt)
    return [int(x) for x in m.groups()]

def gt_points(gt):
    m = re.search(r'<points>\((\d+),(\d+)\),\((\d+),(\d+)\)</points>', gt)
    v = [int(x) for x in m.groups()]
    return [v[0:2], v[2:4]]

def pred_box(d):
    k = next((k for k in d if 'bbox' in k.lower()), None)
    if k is None or len(d[k]) != 4:
        raise ValueError('no box')
    return d[k]

def v1_iou(s, gt):
    try:
        g = gt_box(gt)
        d = first_obj(s)
        if d is None:
            return 0.0
        b = pred_box(d)
        x1, y1, x2, y2 = max(b[0], g[0]), max(b[1], g[1]), min(b[2], g[2]), min(b[3], g[3])
        inter = (x2 - x1 + 1) * (y2 - y1 + 1) if (x1 < x2 and y1 < y2) else 0
        union = (b[2] - b[0] + 1) * (b[3] - b[1] + 1) + (g[2] - g[0] + 1) * (g[3] - g[1] + 1) - inter
        return 1.0 if float(inter) / union > 0.5 else 0.0
    except Exception:
        return 0.0

def v1_box_l1(s, gt):
    try:
        g = gt_box(gt)
        d = first_obj(s)
        if d is None:
            return 0.0
        b = pred_box(d)
        return 1.0 if sum(abs(b[i] - g[i]) for i in range(4)) / 4 < 10 else 0.0
    except Exception:
        return 0.0

def v1_points(s, gt):
    try:
        gp = gt_points(gt)
        d = first_obj(s)
        if d is None:
            return 0.0
        ks = [k for k in d if 'points' in k.lower()][:2]
        if len(ks) != 2:
            return 0.0
        pts = [[int(d[k][0]), int(d[k][1])] for k in ks]
        b = pred_box(d)
        if not all(b[0] <= p[0] <= b[2] and b[1] <= p[1] <= b[3] for p in pts):
            return 0.0
        dd = lambda p, q: math.sqrt((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2)
        best = min(dd(pts[0], gp[0]) + dd(pts[1], gp[1]), dd(pts[0], gp[1]) + dd(pts[1], gp[0]))
        return 1.0 if best / 2 < 100 else 0.0
    except Exception:
        return 0.0

for line in sys.stdin:
    c = json.loads(line)
    s, gt = c['p'], c['g']
    if c['kind'] == 'vr':
        t, f, a, n = think_fmt(s), seg_fmt(s), accuracy(s, gt), non_repeat(s)
        print(json.dumps([t, f, a, n, t + f + a + n]))
    else:
        t, f, i, p, l = think_fmt(s), v1_fmt(s), v1_iou(s, gt), v1_points(s, gt), v1_box_l1(s, gt)
        print(json.dumps([t, f, i, p, l, i + t + f + p + l]))
`

const PY_GT = String.raw`
import sys, json
import numpy as np
from scipy import ndimage

for line in sys.stdin:
    c = json.loads(line)
    h, w = c['h'], c['w']
    m = np.array(c['mask'], dtype=np.uint8).reshape(h, w)
    ys, xs = np.nonzero(m == 1)
    dt = ndimage.distance_transform_edt(m)
    py, px = np.unravel_index(np.argmax(dt), dt.shape)
    # second representative point: the deepest pixel among those farther than the median from the first
    dist = np.sqrt((ys - py) ** 2 + (xs - px) ** 2)
    far = dist > np.median(dist)
    if far.any():
        k = np.argmax(dt[ys[far], xs[far]])
        sy, sx = ys[far][k], xs[far][k]
    else:
        cy, cx = int(np.mean(ys)), int(np.mean(xs))
        y0, x0 = max(0, cy - 10), max(0, cx - 10)
        win = dt[y0:min(h, cy + 10), x0:min(w, cx + 10)]
        wy, wx = np.unravel_index(np.argmax(win), win.shape)
        sy, sx = wy + y0, wx + x0
    if m[sy, sx] == 0:
        k = np.argmin((xs - sx) ** 2 + (ys - sy) ** 2)
        sy, sx = ys[k], xs[k]
    fx, fy = 840 / w, 840 / h
    sc = lambda v, f: int(v * f + 0.5)
    box = [xs.min(), ys.min(), xs.max(), ys.max()]
    print(json.dumps({
        'box': [int(v) for v in box], 'point': [int(px), int(py)], 'second': [int(sx), int(sy)],
        'box840': [sc(box[0], fx), sc(box[1], fy), sc(box[2], fx), sc(box[3], fy)],
        'point840': [sc(px, fx), sc(py, fy)],
    }))
`

const PY_LSA = String.raw`
import sys, json
import numpy as np
from scipy.optimize import linear_sum_assignment
for line in sys.stdin:
    c = np.array(json.loads(line), dtype=float)
    r, k = linear_sum_assignment(c)
    print(json.dumps([float(c[r, k].sum()), len(r)]))
`

function runPython<T>(code: string, lines: unknown[]): T[] {
  const out = execFileSync('/usr/bin/python3', ['-c', code], {
    input: lines.map((l) => JSON.stringify(l)).join('\n') + '\n',
    maxBuffer: 256 * 1024 * 1024,
  }).toString('utf8')
  return out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T)
}

export const pythonRewards = (cases: Array<{ kind: 'vr' | 'v1'; p: string; g: string }>) =>
  runPython<number[]>(PY_REWARDS, cases)

export interface PyGt {
  box: number[]
  point: number[]
  second: number[]
  box840: number[]
  point840: number[]
}
export const pythonGt = (cases: Array<{ h: number; w: number; mask: number[] }>) =>
  runPython<PyGt>(PY_GT, cases)

export const pythonLsa = (matrices: number[][][]) => runPython<[number, number]>(PY_LSA, matrices)
