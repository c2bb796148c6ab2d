"""ReSeg Inspector hook for Seg-Zero / VisionReasoner evaluation scripts.

Their evaluation writes only intersection/union per sample; drop this module next to the script and it
also writes ReSeg's generic run JSONL (raw answer, prompts, mask) that `reseg import run` reads:

    from reseg_hook import ResegWriter
    hook = ResegWriter("runs/visionreasoner.jsonl")
    ...
    # inside process_batch, after `mask_all` is computed:
    hook.write(id_list[i]["image_id"], id_list[i]["ann_id"], mask=mask_all,
               output=result["full_response"], bboxes=result["bboxes"], points=result["points"])
    ...
    hook.close()

Masks are written as COCO compressed RLE, encoded here in plain numpy with the same algorithm as
pycocotools (`maskApi.c`: column-major runs starting with a zero run, 6-bit characters from 48,
counts after the second stored as a delta to the count two places back), so pycocotools is not needed.
Boxes are [x1, y1, x2, y2] and points [x, y] in original-image pixels, one point per box, as their
`segment_objects*` results hold them (`bboxes`, `points`, `full_response`).
"""

import json

import numpy as np


def rle_counts(mask):
    """Column-major run lengths of a 2-D mask (non-zero = foreground), starting with a zero run."""
    m = np.asarray(mask)
    if m.ndim != 2:
        raise ValueError("mask must be 2-D (height x width), got shape %r" % (m.shape,))
    flat = (m != 0).ravel(order="F").astype(np.int8)
    if flat.size == 0:
        return [0]
    # Positions where the value changes, with a virtual 0 before the first pixel.
    changes = np.flatnonzero(np.diff(np.concatenate(([0], flat))))
    edges = np.concatenate(([0], changes, [flat.size]))
    return np.diff(edges).astype(np.int64).tolist()


def counts_to_string(counts):
    """pycocotools `rleToString`."""
    out = []
    for i, c in enumerate(counts):
        x = int(c)
        if i > 2:
            x -= int(counts[i - 2])
        more = True
        while more:
            ch = x & 0x1F
            x >>= 5  # Python's >> on negative ints is arithmetic, as in C on long
            more = x != -1 if ch & 0x10 else x != 0
            if more:
                ch |= 0x20
            out.append(chr(ch + 48))
    return "".join(out)


def encode_rle(mask):
    """{"size": [h, w], "counts": str}, equal to pycocotools.mask.encode(np.asfortranarray(mask))."""
    m = np.asarray(mask)
    return {"size": [int(m.shape[0]), int(m.shape[1])], "counts": counts_to_string(rle_counts(m))}


def _num(v):
    f = float(v)
    return int(f) if f.is_integer() else f


class ResegWriter:
    """Appends one JSON line per evaluated sample."""

    def __init__(self, path, mode="w"):
        self._f = open(path, mode, encoding="utf-8")

    def write(self, image_id, ann_id, mask=None, output=None, bboxes=None, points=None):
        rec = {"image_id": str(image_id), "ann_id": str(ann_id)}
        if output is not None:
            rec["reasoning"] = output
        if bboxes is not None and len(bboxes) > 0:
            rec["bbox"] = [[_num(v) for v in b] for b in bboxes]
        if points is not None and len(points) > 0:
            rec["points"] = [[_num(v) for v in p] for p in points]
        if mask is not None:
            rec["mask"] = encode_rle(mask)
        self._f.write(json.dumps(rec, ensure_ascii=False) + "\n")

    def close(self):
        self._f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
