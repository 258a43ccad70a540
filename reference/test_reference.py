#!/usr/bin/python3
"""Self-checks for the reference implementation.

Run:  /usr/bin/python3 reference/test_reference.py        (from the repo root; ~10 s)

These tests write their own tiny random checkpoints in the Hugging Face layout
(config.json + model.safetensors or a sharded index) into temporary folders,
and check the float32 torch reference against:
  * a second, independently written float64 numpy implementation (loops over
    heads and positions, RoPE as explicit 2-D rotations of dimension pairs
    (i, i + d/2), GQA by head index arithmetic instead of repeat_kv, masks by
    comparison, llama3 scaling in Meta's original per-frequency loop form);
  * published numbers (transformers' tests/utils/test_modeling_rope_utils.py
    snapshots of default and llama3 inv_freq);
  * properties that must hold exactly or analytically (causality, linear
    factor 1 == default, GQA == MHA with duplicated heads, sliding window as
    truncated context, tied == untied copy, BF16 == float32 of the rounded
    weights, sharded == single file).
"""

import contextlib
import io
import json
import math
import os
import shutil
import sys
import tempfile
import unittest

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import llama_reference as ref  # noqa: E402
import safetensors_io as st  # noqa: E402

torch.set_grad_enabled(False)

VOCAB = 96
PROMPT = [1, 17, 42, 7, 88, 23, 5, 64, 31, 9, 77, 50]


# ----------------------------------------------------------------------------- checkpoint writer (tests only)

def base_config(family, **over):
    arch = {"llama": "LlamaForCausalLM", "mistral": "MistralForCausalLM", "qwen2": "Qwen2ForCausalLM",
            "qwen3": "Qwen3ForCausalLM", "phi3": "Phi3ForCausalLM"}[family]
    cfg = {
        "architectures": [arch], "model_type": family, "vocab_size": VOCAB, "hidden_size": 32,
        "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
        "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "hidden_act": "silu", "max_position_embeddings": 128,
        "tie_word_embeddings": False, "torch_dtype": "float32",
    }
    if family == "mistral":
        cfg["sliding_window"] = None
    if family == "qwen3":
        cfg["head_dim"] = 16  # != hidden / heads, as in the real Qwen3 sizes
    cfg.update(over)
    return cfg


def random_weights(cfg, seed=0, bias_scale=0.1):
    """Random weights with HF names, scaled so that logits vary by a few units."""
    rng = np.random.RandomState(seed)
    h, im, v = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    nh = cfg["num_attention_heads"]
    nkv = cfg.get("num_key_value_heads") or nh
    hd = cfg.get("head_dim") or h // nh
    fam = cfg["model_type"]

    def mat(o, i):
        return (rng.randn(o, i) / math.sqrt(i)).astype(np.float32)

    def vec(n, center=0.0, scale=bias_scale):
        return (center + scale * rng.randn(n)).astype(np.float32)

    w = {"model.embed_tokens.weight": rng.randn(v, h).astype(np.float32),
         "model.norm.weight": vec(h, 1.0, 0.2)}
    qkv_bias = fam == "qwen2" or (fam in ("llama", "qwen3") and cfg.get("attention_bias", False))
    o_bias = fam in ("llama", "qwen3") and cfg.get("attention_bias", False)
    mlp_bias = fam == "llama" and cfg.get("mlp_bias", False)
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        w[p + "input_layernorm.weight"] = vec(h, 1.0, 0.2)
        w[p + "post_attention_layernorm.weight"] = vec(h, 1.0, 0.2)
        w[p + "self_attn.q_proj.weight"] = mat(nh * hd, h) * 2.0
        w[p + "self_attn.k_proj.weight"] = mat(nkv * hd, h) * 2.0
        w[p + "self_attn.v_proj.weight"] = mat(nkv * hd, h)
        w[p + "self_attn.o_proj.weight"] = mat(h, nh * hd)
        w[p + "mlp.gate_proj.weight"] = mat(im, h)
        w[p + "mlp.up_proj.weight"] = mat(im, h)
        w[p + "mlp.down_proj.weight"] = mat(h, im)
        if qkv_bias:
            w[p + "self_attn.q_proj.bias"] = vec(nh * hd)
            w[p + "self_attn.k_proj.bias"] = vec(nkv * hd)
            w[p + "self_attn.v_proj.bias"] = vec(nkv * hd)
        if o_bias:
            w[p + "self_attn.o_proj.bias"] = vec(h)
        if mlp_bias:
            w[p + "mlp.gate_proj.bias"] = vec(im)
            w[p + "mlp.up_proj.bias"] = vec(im)
            w[p + "mlp.down_proj.bias"] = vec(h)
        if fam == "qwen3":
            w[p + "self_attn.q_norm.weight"] = vec(hd, 1.0, 0.3)
            w[p + "self_attn.k_norm.weight"] = vec(hd, 1.0, 0.3)
        if fam == "phi3":  # stored fused, as Phi-3 checkpoints are
            w[p + "self_attn.qkv_proj.weight"] = np.concatenate(
                [w.pop(p + "self_attn." + n + "_proj.weight") for n in "qkv"], axis=0)
            w[p + "mlp.gate_up_proj.weight"] = np.concatenate(
                [w.pop(p + "mlp.gate_proj.weight"), w.pop(p + "mlp.up_proj.weight")], axis=0)
    if not cfg.get("tie_word_embeddings", False):
        w["lm_head.weight"] = mat(v, h) * 2.0
    return w


def write_checkpoint(folder, cfg, weights, dtype="F32", shards=1):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    if shards == 1:
        st.save_file(os.path.join(folder, "model.safetensors"), weights, dtype=dtype, metadata={"format": "pt"})
    else:
        st.save_sharded(folder, weights, shards, dtype=dtype)
    return folder


# ----------------------------------------------------------------------------- independent numpy float64 model

def np_rotary_dim(cfg):
    h, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    return int((cfg.get("head_dim") or h // nh) * cfg.get("partial_rotary_factor", 1.0))


def np_inv_freq(cfg, seq_len=0):
    """float64; llama3 in Meta's original per-frequency loop form; LongRoPE as in the LongRoPE paper
    (frequency i divided by its rescale factor; long factors once the sequence exceeds the original length)."""
    d = np_rotary_dim(cfg)
    theta = cfg.get("rope_theta", 10000.0)
    freqs = [theta ** (-(2.0 * i) / d) for i in range(d // 2)]
    rs = cfg.get("rope_scaling")
    if not rs:
        return np.array(freqs)
    kind = rs.get("rope_type", rs.get("type"))
    if kind in ("longrope", "su"):
        orig = cfg.get("original_max_position_embeddings", 4096)
        ext = rs["long_factor"] if seq_len > orig else rs["short_factor"]
        return np.array([f / e for f, e in zip(freqs, ext)])
    if kind == "linear":
        return np.array(freqs) / rs["factor"]
    assert kind == "llama3"
    return np.array(meta_llama3_scaling(freqs, rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"],
                                        rs["original_max_position_embeddings"]))


def meta_llama3_scaling(freqs, scale_factor, low_freq_factor, high_freq_factor, old_context_len):
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    out = []
    for freq in freqs:
        wavelen = 2 * math.pi / freq
        if wavelen < high_freq_wavelen:
            out.append(freq)
        elif wavelen > low_freq_wavelen:
            out.append(freq / scale_factor)
        else:
            smooth = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
            out.append((1 - smooth) * freq / scale_factor + smooth * freq)
    return out


def np_forward(cfg, weights, ids):
    """Float64 numpy forward, written independently of llama_reference (loops, pair rotations)."""
    W = {k: np.asarray(v, dtype=np.float64) for k, v in weights.items()}
    fam = cfg["model_type"]
    h, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    nkv = cfg.get("num_key_value_heads") or nh
    d = cfg.get("head_dim") or h // nh
    eps = cfg.get("rms_norm_eps", 1e-6)
    T = len(ids)
    inv = np_inv_freq(cfg, T)
    half = np_rotary_dim(cfg) // 2
    mscale = 1.0
    rs = cfg.get("rope_scaling") or {}
    if rs.get("type", rs.get("rope_type")) == "longrope":
        scale = cfg["max_position_embeddings"] / cfg.get("original_max_position_embeddings", 4096)
        mscale = math.sqrt(1 + math.log(scale) / math.log(cfg.get("original_max_position_embeddings", 4096)))
    if fam in ("mistral", "phi3"):
        windows = [cfg.get("sliding_window")] * cfg["num_hidden_layers"]
    elif fam in ("qwen2", "qwen3") and cfg.get("use_sliding_window"):
        windows = [cfg["sliding_window"] if i >= cfg.get("max_window_layers", 28) else None
                   for i in range(cfg["num_hidden_layers"])]
    else:
        windows = [None] * cfg["num_hidden_layers"]

    def norm(x, w):
        return w * (x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps))

    def lin(x, name):
        y = x @ W[name + ".weight"].T
        return y + W[name + ".bias"] if name + ".bias" in W else y

    def head_norm(vec, w):
        return w * (vec / math.sqrt(sum(v * v for v in vec) / len(vec) + eps))

    def rot(vec, pos):
        out = vec.copy()  # dims past the rotary ones pass through
        for i in range(half):
            a = pos * inv[i]
            c, s = math.cos(a) * mscale, math.sin(a) * mscale
            x0, x1 = vec[i], vec[i + half]
            out[i] = x0 * c - x1 * s
            out[i + half] = x1 * c + x0 * s
        return out

    x = W["model.embed_tokens.weight"][ids]
    for li in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{li}."
        n1 = norm(x, W[p + "input_layernorm.weight"])
        if fam == "phi3":
            qkv = lin(n1, p + "self_attn.qkv_proj")
            q = qkv[:, :nh * d].reshape(T, nh, d)
            k = qkv[:, nh * d:(nh + nkv) * d].reshape(T, nkv, d)
            v = qkv[:, (nh + nkv) * d:].reshape(T, nkv, d)
        else:
            q = lin(n1, p + "self_attn.q_proj").reshape(T, nh, d)
            k = lin(n1, p + "self_attn.k_proj").reshape(T, nkv, d)
            v = lin(n1, p + "self_attn.v_proj").reshape(T, nkv, d)
        if fam == "qwen3":
            q = np.stack([[head_norm(q[t, hh], W[p + "self_attn.q_norm.weight"]) for hh in range(nh)] for t in range(T)])
            k = np.stack([[head_norm(k[t, hh], W[p + "self_attn.k_norm.weight"]) for hh in range(nkv)] for t in range(T)])
        q = np.stack([[rot(q[t, hh], t) for hh in range(nh)] for t in range(T)])
        k = np.stack([[rot(k[t, hh], t) for hh in range(nkv)] for t in range(T)])
        out = np.zeros((T, nh, d))
        group = nh // nkv
        for hh in range(nh):
            kvh = hh // group
            for i in range(T):
                keys = [j for j in range(T) if j <= i and (windows[li] is None or i - j < windows[li])]
                sc = np.array([q[i, hh] @ k[j, kvh] for j in keys]) / math.sqrt(d)
                e = np.exp(sc - sc.max())
                pr = e / e.sum()
                out[i, hh] = sum(pr[n] * v[j, kvh] for n, j in enumerate(keys))
        x = x + lin(out.reshape(T, nh * d), p + "self_attn.o_proj")
        n2 = norm(x, W[p + "post_attention_layernorm.weight"])
        if fam == "phi3":
            gu = lin(n2, p + "mlp.gate_up_proj")
            g, u = gu[:, :gu.shape[1] // 2], gu[:, gu.shape[1] // 2:]
        else:
            g, u = lin(n2, p + "mlp.gate_proj"), lin(n2, p + "mlp.up_proj")
        x = x + lin((g / (1 + np.exp(-g))) * u, p + "mlp.down_proj")
    x = norm(x, W["model.norm.weight"])
    head = W["lm_head.weight"] if not cfg.get("tie_word_embeddings") else W["model.embed_tokens.weight"]
    return x @ head.T


# ----------------------------------------------------------------------------- tests

class TempDirTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="refchk_")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def ckpt(self, name, cfg, weights=None, **kw):
        weights = random_weights(cfg) if weights is None else weights
        return ref.ReferenceModel.load(write_checkpoint(os.path.join(self.tmp, name), cfg, weights, **kw)), weights

    def assertClose(self, a, b, rtol=2e-5, msg=""):
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        scale = max(np.abs(b).max(), 1e-30)
        err = np.abs(a - b).max() / scale
        self.assertLessEqual(err, rtol, f"{msg}: max abs diff / max |ref| = {err:.3e} > {rtol}")


class SafetensorsTests(TempDirTest):
    def test_round_trip_each_dtype(self):
        rng = np.random.RandomState(1)
        t = {"a": rng.randn(3, 5).astype(np.float32), "b.c": rng.randn(7).astype(np.float32),
             "empty": np.zeros((0, 4), np.float32)}
        for dt, tol in (("F32", 0), ("F16", 1e-3), ("BF16", 8e-3)):
            path = os.path.join(self.tmp, f"x_{dt}.safetensors")
            st.save_file(path, t, dtype=dt)
            header, _, data_start, _ = st.read_header(path)
            self.assertEqual(data_start % 8, 0)
            got, dts = st.load_file(path)
            self.assertEqual(set(got), set(t))
            for k in t:
                self.assertEqual(dts[k], dt)
                self.assertEqual(got[k].shape, t[k].shape)
                if t[k].size:
                    rel = np.abs(got[k].astype(np.float64) - t[k]).max() / np.abs(t[k]).max()
                    self.assertLessEqual(rel, tol, f"{dt} {k}")
            if dt == "BF16":
                self.assertEqual(got["a"].dtype, np.float32)

    def test_bf16_matches_torch(self):
        rng = np.random.RandomState(2)
        vals = np.concatenate([rng.randn(1000).astype(np.float32) * 10.0 ** rng.randint(-8, 8, 1000),
                               np.array([0.0, -0.0, 1.0, 65504.0, 3.0e38, -1e-40, np.inf, -np.inf], np.float32)])
        vals = vals.astype(np.float32)
        torch_bits = torch.from_numpy(vals).to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)
        np.testing.assert_array_equal(st.float32_to_bf16_bits(vals), torch_bits)
        torch_back = torch.from_numpy(torch_bits.view(np.int16).copy()).view(torch.bfloat16).float().numpy()
        np.testing.assert_array_equal(st.bf16_bits_to_float32(torch_bits), torch_back)

    def test_hand_made_file_and_offsets(self):
        # Built by hand, independent of save_file: two F32 tensors, data offsets relative to the data start.
        a = np.array([1.5, -2.0], np.float32)
        b = np.array([[3.0], [4.25]], np.float32)
        header = json.dumps({"__metadata__": {"format": "pt"},
                             "b": {"dtype": "F32", "shape": [2, 1], "data_offsets": [8, 16]},
                             "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}).encode()
        path = os.path.join(self.tmp, "hand.safetensors")
        with open(path, "wb") as f:
            f.write(len(header).to_bytes(8, "little") + header + a.tobytes() + b.tobytes())
        got, _ = st.load_file(path)
        np.testing.assert_array_equal(got["a"], a)
        np.testing.assert_array_equal(got["b"], b)

    def test_malformed_files_raise_clear_errors(self):
        def write(name, header_obj, data=b"", raw_header=None):
            hb = raw_header if raw_header is not None else json.dumps(header_obj).encode()
            path = os.path.join(self.tmp, name)
            with open(path, "wb") as f:
                f.write(len(hb).to_bytes(8, "little") + hb + data)
            return path

        cases = [
            (write("past_end.st", {"x": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}, b"\0" * 8),
             "past the end"),
            (write("count.st", {"x": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, b"\0" * 8),
             "needs 12 bytes"),
            (write("dtype.st", {"x": {"dtype": "F8_E4M3", "shape": [1], "data_offsets": [0, 1]}}, b"\0"),
             "unsupported dtype"),
            (write("json.st", None, raw_header=b"{not json"), "not valid UTF-8 JSON"),
        ]
        for path, needle in cases:
            with self.assertRaises(st.SafetensorsError) as cm:
                st.load_file(path)
            self.assertIn(needle, str(cm.exception))
            self.assertIn(os.path.basename(path), str(cm.exception))
        short = os.path.join(self.tmp, "short.st")
        with open(short, "wb") as f:
            f.write((1000).to_bytes(8, "little") + b"{}")
        with self.assertRaises(st.SafetensorsError):
            st.load_file(short)

    def test_sharded_equals_single_and_missing_shard(self):
        cfg = base_config("llama")
        w = random_weights(cfg)
        single, _ = self.ckpt("single", cfg, w)
        sharded, _ = self.ckpt("sharded", cfg, w, shards=3)
        self.assertTrue(torch.equal(single.forward(PROMPT), sharded.forward(PROMPT)))
        os.remove(os.path.join(self.tmp, "sharded", "model-00002-of-00003.safetensors"))
        with self.assertRaises(st.SafetensorsError) as cm:
            ref.ReferenceModel.load(os.path.join(self.tmp, "sharded"))
        self.assertIn("model-00002-of-00003.safetensors", str(cm.exception))


class RopeTests(unittest.TestCase):
    # Snapshots published in transformers' tests/utils/test_modeling_rope_utils.py
    # (LlamaConfig defaults: head_dim 128, theta 10000; llama3 with factor 10,
    # original_max_position_embeddings 2048, low_freq_factor 1, high_freq_factor 4).
    HF_DEFAULT = [
        1.0000e+00, 8.6596e-01, 7.4989e-01, 6.4938e-01, 5.6234e-01, 4.8697e-01, 4.2170e-01, 3.6517e-01,
        3.1623e-01, 2.7384e-01, 2.3714e-01, 2.0535e-01, 1.7783e-01, 1.5399e-01, 1.3335e-01, 1.1548e-01,
        1.0000e-01, 8.6596e-02, 7.4989e-02, 6.4938e-02, 5.6234e-02, 4.8697e-02, 4.2170e-02, 3.6517e-02,
        3.1623e-02, 2.7384e-02, 2.3714e-02, 2.0535e-02, 1.7783e-02, 1.5399e-02, 1.3335e-02, 1.1548e-02,
        1.0000e-02, 8.6596e-03, 7.4989e-03, 6.4938e-03, 5.6234e-03, 4.8697e-03, 4.2170e-03, 3.6517e-03,
        3.1623e-03, 2.7384e-03, 2.3714e-03, 2.0535e-03, 1.7783e-03, 1.5399e-03, 1.3335e-03, 1.1548e-03,
        1.0000e-03, 8.6596e-04, 7.4989e-04, 6.4938e-04, 5.6234e-04, 4.8697e-04, 4.2170e-04, 3.6517e-04,
        3.1623e-04, 2.7384e-04, 2.3714e-04, 2.0535e-04, 1.7783e-04, 1.5399e-04, 1.3335e-04, 1.1548e-04]
    HF_LLAMA3 = [
        1.0000e+00, 8.6596e-01, 7.4989e-01, 6.4938e-01, 5.6234e-01, 4.8697e-01, 4.2170e-01, 3.6517e-01,
        3.1623e-01, 2.7384e-01, 2.3714e-01, 2.0535e-01, 1.7783e-01, 1.5399e-01, 1.3335e-01, 1.1548e-01,
        1.0000e-01, 8.6596e-02, 7.4989e-02, 6.4938e-02, 5.6234e-02, 4.8697e-02, 4.2170e-02, 3.6517e-02,
        3.1623e-02, 2.7384e-02, 2.3714e-02, 2.0535e-02, 1.7783e-02, 1.5399e-02, 1.3335e-02, 1.0730e-02,
        7.7785e-03, 5.6009e-03, 3.9991e-03, 2.8248e-03, 1.9675e-03, 1.3449e-03, 8.9549e-04, 5.7363e-04,
        3.4539e-04, 2.7384e-04, 2.3714e-04, 2.0535e-04, 1.7783e-04, 1.5399e-04, 1.3335e-04, 1.1548e-04,
        1.0000e-04, 8.6596e-05, 7.4989e-05, 6.4938e-05, 5.6234e-05, 4.8697e-05, 4.2170e-05, 3.6517e-05,
        3.1623e-05, 2.7384e-05, 2.3714e-05, 2.0535e-05, 1.7783e-05, 1.5399e-05, 1.3335e-05, 1.1548e-05]

    @staticmethod
    def cfg(**over):
        raw = {"model_type": "llama", "vocab_size": 10, "hidden_size": 4096, "intermediate_size": 8,
               "num_hidden_layers": 1, "num_attention_heads": 32, "rope_theta": 10000.0}
        raw.update(over)
        return ref.ModelConfig(raw)

    def test_default_matches_published_snapshot(self):
        got = ref.rope_inv_freq(self.cfg()).numpy()
        np.testing.assert_allclose(got, self.HF_DEFAULT, rtol=6e-5)
        self.assertEqual(ref.rope_inv_freq(self.cfg()).dtype, torch.float32)

    def test_llama3_matches_published_snapshot(self):
        c = self.cfg(rope_scaling={"rope_type": "llama3", "factor": 10.0, "original_max_position_embeddings": 2048,
                                   "low_freq_factor": 1, "high_freq_factor": 4})
        got = ref.rope_inv_freq(c).numpy()
        np.testing.assert_allclose(got, self.HF_LLAMA3, rtol=6e-5)

    def test_llama31_8b_against_meta_loop_form(self):
        # Llama-3.1-8B: theta 500000, head_dim 128, factor 8, low 1, high 4, original 8192.
        rs = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
              "original_max_position_embeddings": 8192}
        c = self.cfg(rope_theta=500000.0, rope_scaling=rs, num_key_value_heads=8, max_position_embeddings=131072)
        got = ref.rope_inv_freq(c).numpy().astype(np.float64)
        base = [500000.0 ** (-(2.0 * i) / 128) for i in range(64)]
        want = np.array(meta_llama3_scaling(base, 8.0, 1.0, 4.0, 8192))
        np.testing.assert_allclose(got, want, rtol=3e-6)
        # Regions: high frequencies untouched, low divided by 8, the middle strictly between.
        wavelen = 2 * math.pi / np.array(base)
        hi, lo = wavelen < 8192 / 4, wavelen > 8192 / 1
        np.testing.assert_allclose(got[hi], np.array(base)[hi], rtol=3e-6)
        np.testing.assert_allclose(got[lo], np.array(base)[lo] / 8, rtol=3e-6)
        mid = ~hi & ~lo
        self.assertTrue(mid.any() and hi.any() and lo.any())
        self.assertTrue(np.all(got[mid] < np.array(base)[mid]) and np.all(got[mid] > np.array(base)[mid] / 8))
        self.assertTrue(np.all(np.diff(got) < 0), "llama3 inv_freq must stay strictly decreasing")

    def test_llama3_limits(self):
        default = ref.rope_inv_freq(self.cfg())
        # original context so long that every wavelength is "high frequency": unchanged.
        huge = self.cfg(rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                      "high_freq_factor": 4.0, "original_max_position_embeddings": 10 ** 12})
        self.assertTrue(torch.equal(ref.rope_inv_freq(huge), default))
        # original context so short that every wavelength is "low frequency": same as linear scaling.
        tiny = self.cfg(rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                      "high_freq_factor": 4.0, "original_max_position_embeddings": 1})
        lin = self.cfg(rope_scaling={"type": "linear", "factor": 8.0})
        self.assertTrue(torch.equal(ref.rope_inv_freq(tiny), ref.rope_inv_freq(lin)))
        # factor 1: the smooth blend is the identity (to float rounding).
        one = self.cfg(rope_scaling={"rope_type": "llama3", "factor": 1.0, "low_freq_factor": 1.0,
                                     "high_freq_factor": 4.0, "original_max_position_embeddings": 2048})
        torch.testing.assert_close(ref.rope_inv_freq(one), default, rtol=1e-6, atol=0)

    def test_linear_factor_one_is_default_and_factor_divides(self):
        default = ref.rope_inv_freq(self.cfg())
        self.assertTrue(torch.equal(ref.rope_inv_freq(self.cfg(rope_scaling={"type": "linear", "factor": 1.0})),
                                    default))
        self.assertTrue(torch.equal(
            ref.rope_inv_freq(self.cfg(rope_scaling={"rope_type": "linear", "factor": 4.0})), default / 4))
        # rope_type "default" inside rope_scaling, and the v5 rope_parameters spelling.
        self.assertTrue(torch.equal(ref.rope_inv_freq(self.cfg(rope_scaling={"rope_type": "default"})), default))
        v5 = self.cfg(rope_theta=None, rope_parameters={"rope_type": "linear", "factor": 2.0, "rope_theta": 10000.0})
        self.assertTrue(torch.equal(ref.rope_inv_freq(v5), default / 2))

    def test_head_dim_from_config_drives_rope(self):
        c = self.cfg(hidden_size=64, num_attention_heads=4, head_dim=32)
        self.assertEqual(ref.rope_inv_freq(c).numel(), 16)
        self.assertEqual(ref.rope_inv_freq(self.cfg(hidden_size=64, num_attention_heads=4)).numel(), 8)

    def test_rotate_half_is_pairwise_rotation(self):
        rng = np.random.RandomState(3)
        d = 8
        x = torch.from_numpy(rng.randn(2, 5, d).astype(np.float32))
        inv = ref.default_inv_freq(10000.0, d)
        cos, sin = ref.rope_cos_sin(inv, torch.arange(5))
        y = ref.apply_rope(x, cos, sin).numpy()
        for t in range(5):
            for i in range(d // 2):
                a = t * float(inv[i])
                x0, x1 = x[:, t, i].numpy(), x[:, t, i + d // 2].numpy()
                np.testing.assert_allclose(y[:, t, i], x0 * math.cos(a) - x1 * math.sin(a), rtol=1e-5, atol=1e-6)
                np.testing.assert_allclose(y[:, t, i + d // 2], x1 * math.cos(a) + x0 * math.sin(a),
                                           rtol=1e-5, atol=1e-6)

    def test_unsupported_rope_type_is_rejected(self):
        with self.assertRaises(ref.ConfigError) as cm:
            self.cfg(rope_scaling={"rope_type": "yarn", "factor": 4.0})
        self.assertIn("yarn", str(cm.exception))


class ModelTests(TempDirTest):
    def check_against_numpy(self, name, cfg, ids=PROMPT, **kw):
        model, w = self.ckpt(name, cfg, **kw)
        got = model.forward(ids).numpy()
        self.assertEqual(got.shape, (len(ids), cfg["vocab_size"]))
        want = np_forward(cfg, w, ids)
        self.assertGreater(np.std(want), 0.5, "test logits are too flat to be a meaningful check")
        self.assertClose(got, want, 5e-6, name)
        return model

    def test_llama_gqa_matches_float64_numpy(self):
        self.check_against_numpy("llama", base_config("llama"))

    def test_llama_biases_head_dim_llama3_tied_matches_numpy(self):
        cfg = base_config("llama", attention_bias=True, mlp_bias=True, head_dim=16, tie_word_embeddings=True,
                          num_key_value_heads=1, rope_theta=500000.0,
                          rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                        "high_freq_factor": 4.0, "original_max_position_embeddings": 16})
        model = self.check_against_numpy("llama_x", cfg)
        self.assertEqual(model.w["layers"][0]["q_w"].shape, (64, 32))  # 4 heads * head_dim 16, not 32/4

    def test_llama_linear_scaling_matches_numpy(self):
        self.check_against_numpy("llama_lin", base_config("llama", rope_scaling={"type": "linear", "factor": 2.0}))

    def test_qwen2_biases_and_tie_match_numpy(self):
        self.check_against_numpy("qwen2", base_config("qwen2", tie_word_embeddings=True, rope_theta=1000000.0))

    def test_mistral_sliding_window_matches_numpy(self):
        self.check_against_numpy("mistral", base_config("mistral", sliding_window=4, num_hidden_layers=3))

    def test_qwen2_sliding_window_layers_match_numpy(self):
        cfg = base_config("qwen2", use_sliding_window=True, sliding_window=3, max_window_layers=1)
        model = self.check_against_numpy("qwen2_sw", cfg)
        self.assertEqual(model.config.layer_windows, [None, 3])

    def test_qwen3_qk_norm_head_dim_tied_matches_numpy(self):
        self.check_against_numpy("qwen3", base_config("qwen3", tie_word_embeddings=True, rope_theta=1000000.0))

    def test_qwen3_attention_bias_and_sliding_layers_match_numpy(self):
        cfg = base_config("qwen3", attention_bias=True, use_sliding_window=True, sliding_window=3, max_window_layers=1)
        model = self.check_against_numpy("qwen3_b", cfg)
        self.assertEqual(model.config.layer_windows, [None, 3])

    def test_qwen3_norm_weights_matter(self):
        cfg = base_config("qwen3")
        w = random_weights(cfg)
        a, _ = self.ckpt("qwen3_n1", cfg, w)
        w2 = dict(w)
        w2["model.layers.1.self_attn.k_norm.weight"] = w["model.layers.1.self_attn.k_norm.weight"] * 1.5
        b, _ = self.ckpt("qwen3_n2", cfg, w2)
        self.assertGreater(float((a.forward(PROMPT) - b.forward(PROMPT)).abs().max()), 1e-3)

    def test_phi3_fused_sliding_window_matches_numpy(self):
        self.check_against_numpy("phi3", base_config("phi3", sliding_window=4, num_hidden_layers=3))

    def test_phi3_longrope_partial_rotary_matches_numpy(self):
        rs = {"type": "longrope", "short_factor": [1.0, 1.2, 1.9], "long_factor": [1.0, 3.0, 9.0]}
        cfg = base_config("phi3", partial_rotary_factor=0.75, rope_scaling=rs, original_max_position_embeddings=8)
        model = self.check_against_numpy("phi3_lr", cfg)  # 12 tokens > 8: long factors
        self.assertEqual(model.config.rotary_dim, 6)
        self.check_against_numpy("phi3_lr_short", cfg, ids=PROMPT[:8])  # short factors

    def test_phi3_longrope_switches_at_the_original_length_and_scales_cos_sin(self):
        rs = {"type": "su", "short_factor": [1.0, 1.0, 1.0, 1.0], "long_factor": [2.0, 2.0, 2.0, 2.0]}
        cfg = base_config("phi3", rope_scaling=rs, original_max_position_embeddings=128, max_position_embeddings=128)
        model, w = self.ckpt("phi3_one", cfg)
        self.assertEqual(model.config.rope_scaling["attention_factor"], 1.0)  # factor 1: no scaling
        plain = dict(cfg, rope_scaling=None)
        base, _ = self.ckpt("phi3_plain", plain, w)
        self.assertTrue(torch.equal(model.forward(PROMPT), base.forward(PROMPT)))  # short factors of 1 == default
        cfg4 = dict(cfg, max_position_embeddings=512)
        self.assertAlmostEqual(ref.ModelConfig(cfg4).rope_scaling["attention_factor"],
                               math.sqrt(1 + math.log(4) / math.log(128)), places=12)

    def test_phi3_rejects_other_rope_types_and_partial_elsewhere(self):
        with self.assertRaises(ref.ConfigError):
            ref.ModelConfig(base_config("phi3", rope_scaling={"type": "linear", "factor": 2.0}))
        with self.assertRaises(ref.ConfigError):
            ref.ModelConfig(base_config("llama", partial_rotary_factor=0.5))
        with self.assertRaises(ref.ConfigError):
            ref.ModelConfig(base_config("phi3", rope_scaling={"type": "longrope", "short_factor": [1.0],
                                                              "long_factor": [1.0]}))

    def test_bf16_and_f16_checkpoints_equal_f32_of_rounded_weights(self):
        cfg = base_config("llama")
        w = random_weights(cfg)
        for dt in ("BF16", "F16"):
            stored, _ = self.ckpt("s_" + dt, cfg, w, dtype=dt)
            if dt == "BF16":
                rounded = {k: st.bf16_bits_to_float32(st.float32_to_bf16_bits(v)).reshape(v.shape)
                           for k, v in w.items()}
            else:
                rounded = {k: v.astype(np.float16).astype(np.float32) for k, v in w.items()}
            f32, _ = self.ckpt("r_" + dt, cfg, rounded)
            self.assertTrue(torch.equal(stored.forward(PROMPT), f32.forward(PROMPT)), dt)
            self.assertEqual(stored.stored_dtypes, [dt])

    def test_causal(self):
        for fam, over in (("llama", {}), ("mistral", {"sliding_window": 3}), ("qwen2", {})):
            model, _ = self.ckpt("c_" + fam, base_config(fam, **over))
            a = model.forward(PROMPT)
            changed = PROMPT[:6] + [(t + 11) % VOCAB for t in PROMPT[6:]]
            b = model.forward(changed)
            self.assertTrue(torch.equal(a[:6], b[:6]), fam)
            self.assertFalse(torch.allclose(a[6:], b[6:]), fam)
            # a shorter sequence changes only float32 summation order (different matmul shapes)
            self.assertClose(model.forward(PROMPT[:6]), a[:6], 2e-6, fam)

    def test_linear_factor_one_equals_default_and_factor_two_halves_positions(self):
        cfg = base_config("llama")
        w = random_weights(cfg)
        default, _ = self.ckpt("d", cfg, w)
        one, _ = self.ckpt("l1", dict(cfg, rope_scaling={"type": "linear", "factor": 1.0}), w)
        two, _ = self.ckpt("l2", dict(cfg, rope_scaling={"rope_type": "linear", "factor": 2.0}), w)
        base = default.forward(PROMPT)
        self.assertTrue(torch.equal(one.forward(PROMPT), base))
        # inv_freq/2 at positions 2t is exactly inv_freq at positions t (power-of-two scaling is exact).
        self.assertTrue(torch.equal(two.forward(PROMPT, position_ids=2 * torch.arange(len(PROMPT))), base))
        self.assertFalse(torch.allclose(two.forward(PROMPT), base))

    def test_gqa_equals_mha_with_duplicated_kv_heads(self):
        gqa_cfg = base_config("llama", num_attention_heads=4, num_key_value_heads=2)
        w = random_weights(gqa_cfg)
        d, group = 8, 2
        mha_w = dict(w)
        for i in range(gqa_cfg["num_hidden_layers"]):
            for proj in ("k_proj", "v_proj"):
                name = f"model.layers.{i}.self_attn.{proj}.weight"
                heads = w[name].reshape(2, d, -1)
                mha_w[name] = np.concatenate([heads[h // group] for h in range(4)], axis=0)
        gqa, _ = self.ckpt("gqa", gqa_cfg, w)
        mha, _ = self.ckpt("mha", dict(gqa_cfg, num_key_value_heads=4), mha_w)
        torch.testing.assert_close(gqa.forward(PROMPT), mha.forward(PROMPT), rtol=1e-6, atol=1e-6)

    def test_sliding_window_is_truncated_context_for_one_layer(self):
        cfg = base_config("mistral", num_hidden_layers=1, sliding_window=4)
        model, w = self.ckpt("sw", cfg)
        full = model.forward(PROMPT)
        W = 4
        for t in range(len(PROMPT)):
            lo = max(0, t - W + 1)
            part = model.forward(PROMPT[lo:t + 1], position_ids=torch.arange(lo, t + 1))
            torch.testing.assert_close(full[t], part[-1], rtol=1e-5, atol=1e-5)
        # A window at least as long as the sequence is plain causal attention (and null disables it).
        big, _ = self.ckpt("sw_big", dict(cfg, sliding_window=len(PROMPT)), w)
        none, _ = self.ckpt("sw_none", dict(cfg, sliding_window=None), w)
        self.assertTrue(torch.equal(big.forward(PROMPT), none.forward(PROMPT)))
        self.assertFalse(torch.allclose(full, none.forward(PROMPT)))
        # Absent key: MistralConfig's default window of 4096.
        raw = dict(cfg)
        del raw["sliding_window"]
        self.assertEqual(ref.ModelConfig(raw).layer_windows, [4096])
        # window 1: every position attends to itself only, so attention output = v projection of itself.
        self.assertTrue(bool(ref.attention_mask(5, 1).equal(torch.eye(5, dtype=torch.bool))))

    def test_tied_embeddings(self):
        cfg = base_config("llama", tie_word_embeddings=True)
        w = random_weights(cfg)
        self.assertNotIn("lm_head.weight", w)
        tied, _ = self.ckpt("tied", cfg, w)
        untied, _ = self.ckpt("untied", dict(cfg, tie_word_embeddings=False),
                              dict(w, **{"lm_head.weight": w["model.embed_tokens.weight"]}))
        self.assertTrue(torch.equal(tied.forward(PROMPT), untied.forward(PROMPT)))
        # tie_word_embeddings true wins over a stored, different lm_head.weight (HF ties the parameter).
        other = dict(w, **{"lm_head.weight": np.ones((VOCAB, 32), np.float32)})
        with contextlib.redirect_stderr(io.StringIO()):
            tied2, _ = self.ckpt("tied2", cfg, other)
        self.assertTrue(torch.equal(tied2.forward(PROMPT), tied.forward(PROMPT)))
        with self.assertRaises(ref.WeightError) as cm:
            self.ckpt("untied_missing", dict(cfg, tie_word_embeddings=False), w)
        self.assertIn("lm_head.weight", str(cm.exception))

    def test_qwen2_zero_bias_equals_llama(self):
        qcfg = base_config("qwen2")
        w = random_weights(qcfg)
        zero = {k: (np.zeros_like(v) if k.endswith(".bias") else v) for k, v in w.items()}
        q, _ = self.ckpt("q0", qcfg, zero)
        no_bias = {k: v for k, v in w.items() if not k.endswith(".bias")}
        llama_cfg = dict(base_config("llama"), rms_norm_eps=qcfg["rms_norm_eps"])
        lm, _ = self.ckpt("l0", llama_cfg, no_bias)
        self.assertTrue(torch.equal(q.forward(PROMPT), lm.forward(PROMPT)))
        qb, _ = self.ckpt("qb", qcfg, w)
        self.assertFalse(torch.allclose(qb.forward(PROMPT), lm.forward(PROMPT)))

    def test_rms_norm_formula(self):
        x = torch.tensor([[3.0, 4.0], [1.0, -1.0]])
        wgt = torch.tensor([2.0, 0.5])
        y = ref.rms_norm(x, wgt, 0.0)
        torch.testing.assert_close(y, torch.tensor([[2 * 3 / math.sqrt(12.5), 0.5 * 4 / math.sqrt(12.5)],
                                                    [2.0, -0.5]]))

    def test_bad_weights_and_ids_raise(self):
        cfg = base_config("llama")
        w = random_weights(cfg)
        bad = dict(w)
        del bad["model.layers.1.mlp.up_proj.weight"]
        with self.assertRaises(ref.WeightError) as cm:
            self.ckpt("missing", cfg, bad)
        self.assertIn("model.layers.1.mlp.up_proj.weight", str(cm.exception))
        bad = dict(w, **{"model.layers.0.self_attn.k_proj.weight": np.zeros((32, 32), np.float32)})
        with self.assertRaises(ref.WeightError) as cm:
            self.ckpt("shape", cfg, bad)
        self.assertIn("expected [16, 32]", str(cm.exception))
        model, _ = self.ckpt("ok", cfg, w)
        with self.assertRaises(ValueError):
            model.forward([1, VOCAB])


class CliTests(TempDirTest):
    def test_cli_writes_golden_json(self):
        cfg = base_config("qwen2", tie_word_embeddings=True)
        folder = write_checkpoint(os.path.join(self.tmp, "tiny-qwen2"), cfg, random_weights(cfg), dtype="BF16")
        out = os.path.join(self.tmp, "goldens", "tiny-qwen2.json")
        rc = ref.main([folder, "--input-ids", ",".join(map(str, PROMPT)), "--greedy-new-tokens", "8",
                       "--out", out])
        self.assertEqual(rc, 0)
        with open(out) as f:
            g = json.load(f)
        self.assertEqual(g["checkpoint"], "tiny-qwen2")
        self.assertEqual(g["input_ids"], PROMPT)
        self.assertEqual(g["dtype"], "float32")
        self.assertIn("torch " + torch.__version__, g["reference"])
        self.assertEqual(g["stored_dtypes"], ["BF16"])
        self.assertEqual(len(g["logits"]), len(PROMPT))
        self.assertTrue(all(len(r) == VOCAB for r in g["logits"]))
        self.assertEqual(len(g["greedy_ids"]), 8)
        self.assertEqual(len(g["greedy_step_logits"]), 8)
        # floats carry at most 7 significant digits
        for v in g["logits"][0]:
            self.assertEqual(float(f"{v:.6e}"), v)
        # full-recompute greedy: each id is the argmax of a fresh forward over prompt + previous ids
        model = ref.ReferenceModel.load(folder)
        seq = list(PROMPT)
        for step, tok in enumerate(g["greedy_ids"]):
            last = model.forward(seq)[-1]
            self.assertEqual(int(torch.argmax(last)), tok)
            self.assertAlmostEqual(g["greedy_step_logits_max"][step], float(last.max()), places=5)
            np.testing.assert_allclose(g["greedy_step_logits"][step], last.numpy(), rtol=1e-6, atol=1e-6)
            seq.append(tok)
        np.testing.assert_allclose(g["logits"], model.forward(PROMPT).numpy(), rtol=1e-6, atol=1e-6)
        # step 0 logits are the last prompt position
        self.assertEqual(g["greedy_step_logits"][0], g["logits"][-1])

    def test_cli_reports_errors(self):
        folder = os.path.join(self.tmp, "empty")
        os.makedirs(folder)
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            rc = ref.main([folder, "--input-ids", "1,2"])
        self.assertEqual(rc, 2)
        self.assertIn("config.json", err.getvalue())


if __name__ == "__main__":
    unittest.main(verbosity=2)
