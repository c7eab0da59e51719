#!/usr/bin/env python3
"""Crafts hostile .lotta files for benchmarks/bad_inputs_trust.sh, written from the container spec
(lottalora-format/docs/artifact-format.md): magic, u32 LE version, u64 LE payload length, payload, SHA-256.

  craft_artifact.py bigstring OUT MB     Artifact.producer (field 1) holding MB megabytes, digest valid
  craft_artifact.py bigtensor OUT        a Tensor whose data field declares 1 GiB in a 40-byte payload
  craft_artifact.py manytensors OUT N    N empty Tensor messages
  craft_artifact.py manystrings OUT N    N history lines (field 13) of 1 MiB each, each within its own limit
  craft_artifact.py strip IN OUT         the file without its signature trailer (digest still valid)
"""
import hashlib
import struct
import sys

MAGIC = b"LOTTA\r\n\x1a"


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def ld(field, body_len):
    """Tag and length of a length-delimited field."""
    return varint(field << 3 | 2) + varint(body_len)


def write(path, chunks, payload_len):
    """Writes header + chunks (the payload, streamed) + digest, hashing as it goes."""
    h = hashlib.sha256()
    with open(path, "wb") as f:
        head = MAGIC + struct.pack("<IQ", 1, payload_len)
        h.update(head)
        f.write(head)
        n = 0
        for c in chunks:
            h.update(c)
            f.write(c)
            n += len(c)
        assert n == payload_len, (n, payload_len)
        f.write(h.digest())


def main():
    kind, out = sys.argv[1], sys.argv[2]
    if kind == "bigstring":
        size = int(sys.argv[3]) << 20
        head = ld(1, size)
        block = b"a" * (1 << 20)
        write(out, [head] + [block] * (size >> 20), len(head) + size)
    elif kind == "bigtensor":
        tensor = ld(1, 1) + b"w" + ld(4, 1 << 30)  # name "w", data declared 1 GiB, nothing follows
        payload = ld(6, len(tensor)) + tensor
        write(out, [payload], len(payload))
    elif kind == "manytensors":
        payload = ld(6, 0) * int(sys.argv[3])
        write(out, [payload], len(payload))
    elif kind == "manystrings":
        line = ld(13, 1 << 20) + b"h" * (1 << 20)
        n = int(sys.argv[3])
        write(out, [line] * n, len(line) * n)
    elif kind == "strip":
        data = open(out, "rb").read()
        (length,) = struct.unpack_from("<Q", data, 12)
        open(sys.argv[3], "wb").write(data[: 20 + length + 32])
    else:
        sys.exit("unknown kind " + kind)


if __name__ == "__main__":
    main()
