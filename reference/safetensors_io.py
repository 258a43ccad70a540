"""Minimal, dependency-free safetensors reader (and a small writer for tests).

File layout (https://github.com/huggingface/safetensors, "Format" section):

    [8 bytes]  N = little-endian unsigned 64-bit length of the JSON header
    [N bytes]  UTF-8 JSON: {"tensor name": {"dtype": "BF16", "shape": [..],
                            "data_offsets": [begin, end]}, ...,
                            "__metadata__": {str: str}  (optional)}
    [rest]     the data buffer; data_offsets are byte offsets relative to the
               start of this buffer (i.e. relative to byte 8 + N of the file),
               row-major, little-endian.

A sharded checkpoint is a folder with ``model.safetensors.index.json`` whose
``weight_map`` maps each tensor name to the shard file that holds it.

Only numpy is used; no third-party safetensors package. BF16 has no numpy
dtype, so it is read as uint16 and widened to float32 by shifting the 16 bits
into the high half of a 32-bit word (BF16 is exactly the top half of an IEEE
float32, so this is lossless).
"""

import json
import os
import struct

import numpy as np

INDEX_FILE = "model.safetensors.index.json"
SINGLE_FILE = "model.safetensors"

# safetensors dtype name -> (numpy dtype of the stored bytes, bytes per element)
_STORED = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "BF16": np.dtype("<u2"),  # widened to float32 after reading
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}

# Refuse absurd headers before reading them (the format itself caps it at 100 MB).
_MAX_HEADER_BYTES = 100 * 1024 * 1024


class SafetensorsError(ValueError):
    """Raised for a malformed or inconsistent safetensors file or index."""


def bf16_bits_to_float32(bits):
    """Widen raw BF16 bit patterns (uint16 array) to float32 values, exactly."""
    bits = np.ascontiguousarray(bits, dtype=np.uint16)
    return (bits.astype(np.uint32) << 16).view(np.float32)


def float32_to_bf16_bits(values):
    """Round float32 values to BF16 (round to nearest, ties to even); return uint16 bits.

    NaN is kept a quiet NaN. Used by the test-checkpoint writer only.
    """
    v = np.ascontiguousarray(values, dtype=np.float32)
    u = v.view(np.uint32).astype(np.uint64)
    rounding_bias = 0x7FFF + ((u >> 16) & 1)
    rounded = ((u + rounding_bias) >> 16).astype(np.uint16)
    nan = np.isnan(v)
    if nan.any():
        rounded[nan] = 0x7FC0
    return rounded


def read_header(path):
    """Return (header dict without __metadata__, metadata dict, data start offset, file size)."""
    size = os.path.getsize(path)
    if size < 8:
        raise SafetensorsError(f"{path}: file is {size} bytes, shorter than the 8-byte header length field")
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        if n > _MAX_HEADER_BYTES or 8 + n > size:
            raise SafetensorsError(
                f"{path}: header length field says {n} bytes, but the file has only {size - 8} bytes after it")
        raw = f.read(n)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SafetensorsError(f"{path}: header is not valid UTF-8 JSON ({e})") from e
    if not isinstance(header, dict):
        raise SafetensorsError(f"{path}: header JSON must be an object, got {type(header).__name__}")
    metadata = header.pop("__metadata__", None) or {}
    data_start = 8 + n
    data_len = size - data_start
    for name, info in header.items():
        _check_entry(path, name, info, data_len)
    return header, metadata, data_start, size


def _check_entry(path, name, info, data_len):
    if not isinstance(info, dict) or not {"dtype", "shape", "data_offsets"} <= set(info):
        raise SafetensorsError(f"{path}: tensor '{name}': entry must have dtype, shape and data_offsets, got {info!r}")
    dtype = info["dtype"]
    if dtype not in _STORED:
        raise SafetensorsError(f"{path}: tensor '{name}': unsupported dtype '{dtype}' (supported: {sorted(_STORED)})")
    shape = info["shape"]
    if not isinstance(shape, list) or any((not isinstance(d, int)) or d < 0 for d in shape):
        raise SafetensorsError(f"{path}: tensor '{name}': shape must be a list of non-negative ints, got {shape!r}")
    offs = info["data_offsets"]
    if (not isinstance(offs, list) or len(offs) != 2 or any(not isinstance(o, int) for o in offs)
            or not 0 <= offs[0] <= offs[1]):
        raise SafetensorsError(f"{path}: tensor '{name}': data_offsets must be [begin, end] with 0 <= begin <= end, "
                               f"got {offs!r}")
    if offs[1] > data_len:
        raise SafetensorsError(f"{path}: tensor '{name}': data_offsets end {offs[1]} is past the end of the data "
                               f"buffer ({data_len} bytes)")
    expected = int(np.prod(shape, dtype=np.int64)) * _STORED[dtype].itemsize
    if offs[1] - offs[0] != expected:
        raise SafetensorsError(f"{path}: tensor '{name}': {dtype} {shape} needs {expected} bytes, but data_offsets "
                               f"{offs} span {offs[1] - offs[0]} bytes")


def load_file(path, names=None, upcast_bf16=True):
    """Load tensors from one .safetensors file as numpy arrays.

    names: optional iterable restricting which tensors to read.
    BF16 tensors come back as float32 (exact widening) when upcast_bf16 is true,
    otherwise as the raw uint16 bit patterns. F16/F32/F64 keep their dtype.
    Returns (dict name -> np.ndarray, dict name -> stored dtype string).
    """
    header, _, data_start, _ = read_header(path)
    wanted = header.keys() if names is None else list(names)
    out, dtypes = {}, {}
    with open(path, "rb") as f:
        for name in wanted:
            if name not in header:
                raise SafetensorsError(f"{path}: no tensor named '{name}'")
            info = header[name]
            begin, end = info["data_offsets"]
            f.seek(data_start + begin)
            buf = f.read(end - begin)
            arr = np.frombuffer(buf, dtype=_STORED[info["dtype"]]).reshape(info["shape"])
            if info["dtype"] == "BF16" and upcast_bf16:
                arr = bf16_bits_to_float32(arr).reshape(info["shape"])
            else:
                arr = arr.copy()  # own, writable memory
            out[name] = arr
            dtypes[name] = info["dtype"]
    return out, dtypes


def load_checkpoint_folder(folder, upcast_bf16=True):
    """Load every tensor of a Hugging Face checkpoint folder.

    Uses model.safetensors.index.json (sharded) when present, else model.safetensors.
    Returns (dict name -> np.ndarray, dict name -> stored dtype string).
    """
    index_path = os.path.join(folder, INDEX_FILE)
    single_path = os.path.join(folder, SINGLE_FILE)
    if os.path.isfile(index_path):
        with open(index_path, "r", encoding="utf-8") as f:
            try:
                index = json.load(f)
            except json.JSONDecodeError as e:
                raise SafetensorsError(f"{index_path}: not valid JSON ({e})") from e
        weight_map = index.get("weight_map") if isinstance(index, dict) else None
        if not isinstance(weight_map, dict) or not weight_map:
            raise SafetensorsError(f"{index_path}: expected a non-empty object 'weight_map' (tensor name -> shard file)")
        by_shard = {}
        for name, shard in weight_map.items():
            if not isinstance(shard, str) or os.path.basename(shard) != shard:
                raise SafetensorsError(f"{index_path}: tensor '{name}' maps to '{shard}', expected a file name "
                                       f"in the same folder")
            by_shard.setdefault(shard, []).append(name)
        tensors, dtypes = {}, {}
        for shard, names in sorted(by_shard.items()):
            shard_path = os.path.join(folder, shard)
            if not os.path.isfile(shard_path):
                raise SafetensorsError(f"{index_path}: shard '{shard}' (holding e.g. '{names[0]}') does not exist")
            t, d = load_file(shard_path, names, upcast_bf16=upcast_bf16)
            tensors.update(t)
            dtypes.update(d)
        return tensors, dtypes
    if os.path.isfile(single_path):
        return load_file(single_path, upcast_bf16=upcast_bf16)
    raise SafetensorsError(f"{folder}: neither {SINGLE_FILE} nor {INDEX_FILE} found")


# ---------------------------------------------------------------- writer (tests only)

def save_file(path, tensors, dtype="F32", metadata=None):
    """Write numpy arrays to a .safetensors file.

    dtype: "F32", "F16" or "BF16" (float inputs are converted; BF16 rounds to
    nearest-even), or a dict name -> dtype. Tensors are written in sorted name
    order, each aligned to 8 bytes by padding the header with spaces, as the
    reference implementation does.
    """
    entries, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        dt = dtype[name] if isinstance(dtype, dict) else dtype
        arr = np.asarray(tensors[name])
        if dt == "BF16":
            data = float32_to_bf16_bits(arr.astype(np.float32)).tobytes()
        elif dt in _STORED:
            data = np.ascontiguousarray(arr.astype(_STORED[dt])).tobytes()
        else:
            raise SafetensorsError(f"cannot write dtype '{dt}'")
        entries[name] = {"dtype": dt, "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        entries["__metadata__"] = dict(metadata)
    header = json.dumps(entries, separators=(",", ":")).encode("utf-8")
    header += b" " * ((8 - (8 + len(header)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header)))
        f.write(header)
        for b in blobs:
            f.write(b)


def save_sharded(folder, tensors, shards, dtype="F32"):
    """Write tensors split over `shards` files plus model.safetensors.index.json (tests only)."""
    names = sorted(tensors)
    weight_map, total = {}, 0
    for i in range(shards):
        part = names[i::shards]
        fname = f"model-{i + 1:05d}-of-{shards:05d}.safetensors"
        save_file(os.path.join(folder, fname), {n: tensors[n] for n in part}, dtype=dtype, metadata={"format": "pt"})
        for n in part:
            weight_map[n] = fname
            total += np.asarray(tensors[n]).size
    with open(os.path.join(folder, INDEX_FILE), "w", encoding="utf-8") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
