"""The backbone stream and the protobuf wire format, as the readers written from the documents use them.

One copy of the pieces every reader needs, taken from lottalora-core/docs/backbone-stream.md (section 1: FNV-1a
of the tensor name, numpy's Philox4x64-10 keyed by [seed mod 2^64, fnv] as a uint64 array, counter 2^256 - 1,
uniform from the top 53 bits) and from the protobuf encoding rules lotta.proto relies on. The readers import it
from this folder (`python3 benchmarks/scripts/<reader>.py` puts the folder on the path).
"""
import numpy as np

MASK = (1 << 64) - 1


def fnv1a64(name):
    h = 0xCBF29CE484222325
    for b in name.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & MASK
    return h


def words(seed, name, n):
    """The first n raw 64-bit words of stream (seed, name), as a uint64 array."""
    # the key as a uint64 array: a plain list [seed, fnv] with one value below 2^63 and one above becomes float64
    # in numpy, a silently different key
    g = np.random.Philox(key=np.array([seed & MASK, fnv1a64(name)], dtype=np.uint64), counter=2**256 - 1)
    return g.random_raw(n).astype(np.uint64)


def word_list(seed, name, n):
    """words() as Python integers, for readers that compute on single words."""
    return [int(w) for w in words(seed, name, n)]


def U(w):
    """The uniform in (0, 1) of one word (a Python int)."""
    return ((w >> 11) + 0.5) * 2.0**-53


def uniforms(seed, name, n):
    """U of the first n words of stream (seed, name), as a float64 array."""
    return ((words(seed, name, n) >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53


def varint(buf, i):
    """The varint at buf[i:], and the index after it."""
    x = s = 0
    while True:
        b = buf[i]
        i += 1
        x |= (b & 0x7F) << s
        s += 7
        if b < 0x80:
            return x, i


def wire_fields(buf):
    """(field number, wire type, value) triples of one message; value: an int, bytes, or raw 4/8 bytes."""
    i = 0
    out = []
    while i < len(buf):
        key, i = varint(buf, i)
        f, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(buf, i)
        elif wt == 1:
            v, i = buf[i:i + 8], i + 8
        elif wt == 2:
            n, i = varint(buf, i)
            v, i = buf[i:i + n], i + n
        elif wt == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d" % wt)
        out.append((f, wt, v))
    return out
