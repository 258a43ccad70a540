#!/usr/bin/python3
"""Independent float32 reference of the Hugging Face transformers forward pass for
LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM and
Phi3ForCausalLM.

Written from a reading of transformers' modeling_llama.py, modeling_mistral.py,
modeling_qwen2.py, modular_qwen3.py, modular_phi3.py, configuration_phi3.py,
masking_utils.py and modeling_rope_utils.py (not copied, and
transformers is not imported: it is not installable on this machine). Plain
PyTorch (1.13 works) + numpy.

Precision contract: every weight is widened to float32 on load (BF16 -> float32
and F16 -> float32 are exact) and every operation runs in float32. The golden
numbers are therefore "the float32 math over the stored weights", i.e. what
transformers computes for the same folder loaded with torch_dtype=torch.float32
and attn_implementation="eager" (up to float32 summation-order noise, ~1e-6
relative). It is NOT what transformers computes in bf16.

The math, per decoder layer (pre-norm residual):

    h   = x + o_proj(attn(rope(q_proj(n1)), rope(k_proj(n1)), v_proj(n1)))  with n1 = rmsnorm(x)
    out = h + down_proj(silu(gate_proj(n2)) * up_proj(n2))                   with n2 = rmsnorm(h)

  * RMSNorm: x * rsqrt(mean(x^2, -1) + eps), computed in float32, then cast
    back to the input dtype and multiplied by the weight (weight * normed).
  * RoPE (rotate_half convention, not interleaved): inv_freq[i] =
    1 / theta^(2i/d) for i < d/2, d = head_dim (config "head_dim" when given,
    else hidden_size // num_attention_heads); angle = position * inv_freq;
    cos/sin of cat(angle, angle); q' = q*cos + rotate_half(q)*sin with
    rotate_half(x) = cat(-x[d/2:], x[:d/2]).
    rope_scaling "linear": inv_freq / factor. "llama3": per-frequency
    rescaling by wavelength (see llama3_inv_freq). "default": none.
    Phi-3 "longrope" (also "su"/"yarn" in older configs): inv_freq[i] =
    1 / (ext[i] * theta^(2i/d)), ext = short_factor while the sequence
    (max position + 1) is at most original_max_position_embeddings, else
    long_factor; cos and sin multiplied by the attention factor
    (rope_scaling.attention_factor, else sqrt(1 + ln(f)/ln(orig)) with
    f = max_position_embeddings / original_max_position_embeddings when f > 1).
    Phi-3 partial_rotary_factor p: only the first int(head_dim * p) dims of
    each head rotate (d above is that rotary dim); the rest pass through.
  * Qwen3: q and k get an RMSNorm over each head (q_norm / k_norm, weights of
    head_dim) after the projection and before RoPE.
  * Phi-3: q/k/v stored fused as qkv_proj (rows q, k, v) and gate/up as
    gate_up_proj (rows gate, then up); they are split on load.
  * Attention: GQA via repeat_kv (kv head j serves query heads
    j*g .. j*g+g-1, g = heads / kv_heads), scores = q k^T / sqrt(head_dim),
    causal mask (key index <= query index), sliding window when configured
    (key index > query index - window, i.e. each query sees `window` keys
    including itself), softmax in float32.
  * Biases: Qwen2 has q/k/v biases (not o); Llama has attention_bias (all four
    projections) and mlp_bias (all three MLP projections) flags; Qwen3 has
    attention_bias (all four attention projections); Mistral and Phi-3 none.
  * lm_head: tied to embed_tokens when tie_word_embeddings is true (HF ties
    the parameters, so a stored lm_head.weight is not used then).

CLI:
  /usr/bin/python3 reference/llama_reference.py CHECKPOINT_DIR --input-ids 1,5,9 \
      --greedy-new-tokens 8 --out golden.json
"""

import argparse
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

DTYPE = torch.float32
REFERENCE_NAME = ("plain PyTorch re-implementation of transformers' modeling_llama/qwen2/qwen3/mistral/phi3, torch "
                  + torch.__version__)


class ConfigError(ValueError):
    """config.json is missing a field, has a bad value, or asks for something unsupported."""


class WeightError(ValueError):
    """A tensor is missing, unexpected or has the wrong shape."""


# ----------------------------------------------------------------------------- config

_FAMILIES = {
    "llama": "llama", "LlamaForCausalLM": "llama",
    "mistral": "mistral", "MistralForCausalLM": "mistral",
    "qwen2": "qwen2", "Qwen2ForCausalLM": "qwen2",
    "qwen3": "qwen3", "Qwen3ForCausalLM": "qwen3",
    "phi3": "phi3", "Phi3ForCausalLM": "phi3",
}


class ModelConfig:
    """The fields of a HF config.json that the forward pass depends on, with HF's defaults."""

    def __init__(self, raw, source="config.json"):
        self.raw = raw
        self.source = source
        self.family = self._family(raw)

        def req_int(key, minimum=1):
            if key not in raw or raw[key] is None:
                raise ConfigError(f"{source}: required field '{key}' is missing")
            v = raw[key]
            if not isinstance(v, int) or isinstance(v, bool) or v < minimum:
                raise ConfigError(f"{source}: '{key}' must be an integer >= {minimum}, got {v!r}")
            return v

        self.vocab_size = req_int("vocab_size")
        self.hidden_size = req_int("hidden_size")
        self.intermediate_size = req_int("intermediate_size")
        self.num_hidden_layers = req_int("num_hidden_layers")
        self.num_attention_heads = req_int("num_attention_heads")

        # num_key_value_heads: Llama/Phi3 default to num_attention_heads; MistralConfig's keyword default
        # is 8, Qwen2Config's and Qwen3Config's 32 (used when the key is absent), and null means "= heads".
        if "num_key_value_heads" not in raw:
            self.num_key_value_heads = {"mistral": 8, "qwen2": 32, "qwen3": 32}.get(self.family, self.num_attention_heads)
        elif raw["num_key_value_heads"] is None:
            self.num_key_value_heads = self.num_attention_heads
        else:
            self.num_key_value_heads = req_int("num_key_value_heads")
        if self.num_attention_heads % self.num_key_value_heads != 0:
            raise ConfigError(f"{source}: num_attention_heads ({self.num_attention_heads}) must be a multiple of "
                              f"num_key_value_heads ({self.num_key_value_heads})")

        # head_dim: "getattr(config, 'head_dim', None) or hidden_size // num_attention_heads";
        # Qwen3Config has head_dim = 128 when the key is absent.
        hd = raw.get("head_dim", 128 if self.family == "qwen3" else None)
        if hd is None or hd == 0:
            if self.hidden_size % self.num_attention_heads != 0:
                raise ConfigError(f"{source}: hidden_size ({self.hidden_size}) is not divisible by "
                                  f"num_attention_heads ({self.num_attention_heads}) and no head_dim is given")
            hd = self.hidden_size // self.num_attention_heads
        elif not isinstance(hd, int) or hd < 1:
            raise ConfigError(f"{source}: 'head_dim' must be a positive integer, got {hd!r}")
        if hd % 2 != 0:
            raise ConfigError(f"{source}: head_dim ({hd}) must be even for rotary embeddings")
        self.head_dim = hd

        eps = raw.get("rms_norm_eps", 1e-5 if self.family == "phi3" else 1e-6)
        if eps is None:
            eps = 1e-6
        if not isinstance(eps, (int, float)) or eps <= 0:
            raise ConfigError(f"{source}: 'rms_norm_eps' must be a positive number, got {eps!r}")
        self.rms_norm_eps = float(eps)

        act = raw.get("hidden_act", "silu")
        if act not in ("silu", "swish"):
            raise ConfigError(f"{source}: hidden_act '{act}' is not supported (only 'silu')")

        prf = raw.get("partial_rotary_factor")
        if prf is None and isinstance(raw.get("rope_parameters"), dict):
            prf = raw["rope_parameters"].get("partial_rotary_factor")
        if prf is None:
            prf = 1.0
        if prf != 1 and self.family != "phi3":
            raise ConfigError(f"{source}: partial_rotary_factor {prf!r} is not supported for {self.family} (only 1.0)")
        if not isinstance(prf, (int, float)) or not 0 < prf <= 1:
            raise ConfigError(f"{source}: partial_rotary_factor must be in (0, 1], got {prf!r}")
        self.rotary_dim = int(self.head_dim * prf)
        if self.rotary_dim < 2 or self.rotary_dim % 2 != 0:
            raise ConfigError(f"{source}: partial_rotary_factor {prf} gives {self.rotary_dim} rotary dims (need even, > 0)")

        self.tie_word_embeddings = bool(raw.get("tie_word_embeddings", False))
        self.max_position_embeddings = raw.get("max_position_embeddings")

        # Biases.
        if self.family == "qwen2":
            self.qkv_bias, self.o_bias, self.mlp_bias = True, False, False
        elif self.family in ("mistral", "phi3"):
            self.qkv_bias, self.o_bias, self.mlp_bias = False, False, False
        elif self.family == "qwen3":
            ab = bool(raw.get("attention_bias", False))
            self.qkv_bias, self.o_bias, self.mlp_bias = ab, ab, False
        else:
            ab = bool(raw.get("attention_bias", False))
            self.qkv_bias, self.o_bias = ab, ab
            self.mlp_bias = bool(raw.get("mlp_bias", False))

        self.qk_norm = self.family == "qwen3"
        self.fused = self.family == "phi3"
        self.rope_theta, self.rope_scaling = self._rope(raw, source, self.family)
        if self.rope_scaling is not None and self.rope_scaling["rope_type"] == "longrope":
            self._longrope(raw, source)
        self.layer_windows = self._windows(raw, source)

    @staticmethod
    def _family(raw):
        archs = raw.get("architectures") or []
        for a in archs:
            if a in _FAMILIES:
                return _FAMILIES[a]
        mt = raw.get("model_type")
        if mt in _FAMILIES:
            return _FAMILIES[mt]
        raise ConfigError(f"unsupported model: model_type={mt!r}, architectures={archs!r} "
                          f"(supported: llama, mistral, qwen2, qwen3, phi3)")

    def _longrope(self, raw, source):
        """Phi-3 LongRoPE: factor lists of rotary_dim/2 numbers, original length, attention factor."""
        s = self.rope_scaling
        for key in ("short_factor", "long_factor"):
            f = s.get(key)
            if not isinstance(f, list) or len(f) != self.rotary_dim // 2:
                raise ConfigError(f"{source}: rope_scaling.{key} must be a list of {self.rotary_dim // 2} numbers")
        orig = raw.get("original_max_position_embeddings") or s.get("original_max_position_embeddings") or 4096
        factor = (self.max_position_embeddings or 4096) / orig  # Phi3Config default max 4096
        att = s.get("attention_factor")
        if att is None:
            att = 1.0 if factor <= 1.0 else math.sqrt(1 + math.log(factor) / math.log(orig))
        s["original_max_position_embeddings"] = orig
        s["attention_factor"] = float(att)

    @staticmethod
    def _rope(raw, source, family):
        """(theta, scaling dict or None). Reads legacy rope_theta/rope_scaling and v5 rope_parameters."""
        params = raw.get("rope_parameters")
        scaling = raw.get("rope_scaling")
        theta = raw.get("rope_theta")
        if isinstance(params, dict):
            if "rope_theta" in params and theta is None:
                theta = params["rope_theta"]
            if scaling is None:
                scaling = {k: v for k, v in params.items() if k != "rope_theta"}
        if theta is None:
            theta = 10000.0
        if not isinstance(theta, (int, float)) or theta <= 0:
            raise ConfigError(f"{source}: rope_theta must be a positive number, got {theta!r}")
        if scaling is not None and not isinstance(scaling, dict):
            raise ConfigError(f"{source}: rope_scaling must be an object or null, got {scaling!r}")
        if scaling:
            rope_type = scaling.get("rope_type", scaling.get("type", "default"))
            if family == "phi3" and rope_type in ("su", "yarn"):
                rope_type = "longrope"  # Phi3Config's backward compatibility
            if family == "phi3" and rope_type not in ("default", "longrope"):
                raise ConfigError(f"{source}: Phi-3 rope type must be default or longrope, got '{rope_type}'")
            if rope_type == "longrope" and family != "phi3":
                raise ConfigError(f"{source}: longrope is implemented for phi3 only")
            if rope_type == "default":
                scaling = None
            elif rope_type == "linear":
                _need(scaling, ["factor"], source)
            elif rope_type == "longrope":
                _need(scaling, ["short_factor", "long_factor"], source)
            elif rope_type == "llama3":
                _need(scaling, ["factor", "low_freq_factor", "high_freq_factor",
                                "original_max_position_embeddings"], source)
                if scaling["high_freq_factor"] == scaling["low_freq_factor"]:
                    raise ConfigError(f"{source}: llama3 rope_scaling needs high_freq_factor != low_freq_factor")
            else:
                raise ConfigError(f"{source}: rope_scaling type '{rope_type}' is not supported by the reference "
                                  f"(supported: default, linear, llama3, longrope for phi3)")
            if scaling is not None:
                scaling = dict(scaling, rope_type=rope_type)
        else:
            scaling = None
        return float(theta), scaling

    def _windows(self, raw, source):
        """Per-layer sliding window size (None = full causal attention)."""
        n = self.num_hidden_layers
        if self.family == "mistral":
            # MistralConfig's keyword default is 4096 when the key is absent; null disables it.
            w = raw.get("sliding_window", 4096)
            return [_window(w, source)] * n
        if self.family == "phi3":
            # Phi3Config: sliding_window defaults to None; when set, every layer uses it (as Mistral).
            return [_window(raw.get("sliding_window"), source)] * n
        if self.family in ("qwen2", "qwen3"):
            w = raw.get("sliding_window", 4096) if raw.get("use_sliding_window", False) else None
            w = _window(w, source)
            types = raw.get("layer_types")
            if types is None:
                mwl = raw.get("max_window_layers", 28)
                types = ["sliding_attention" if w is not None and i >= mwl else "full_attention" for i in range(n)]
            if len(types) != n:
                raise ConfigError(f"{source}: layer_types has {len(types)} entries for {n} layers")
            return [w if t == "sliding_attention" else None for t in types]
        return [None] * n


def _need(d, keys, source):
    for k in keys:
        if d.get(k) is None:
            raise ConfigError(f"{source}: rope_scaling of type '{d.get('rope_type', d.get('type'))}' needs '{k}'")


def _window(w, source):
    if w is None:
        return None
    if not isinstance(w, int) or isinstance(w, bool) or w < 1:
        raise ConfigError(f"{source}: sliding_window must be a positive integer or null, got {w!r}")
    return w


def load_config(folder):
    path = os.path.join(folder, "config.json")
    if not os.path.isfile(path):
        raise ConfigError(f"{folder}: no config.json")
    with open(path, "r", encoding="utf-8") as f:
        try:
            raw = json.load(f)
        except json.JSONDecodeError as e:
            raise ConfigError(f"{path}: not valid JSON ({e})") from e
    return ModelConfig(raw, source=path)


# ----------------------------------------------------------------------------- RoPE

def default_inv_freq(theta, dim):
    """1 / theta^(arange(0, dim, 2) / dim), computed in float32 like transformers."""
    exponent = torch.arange(0, dim, 2, dtype=torch.int64).to(DTYPE) / dim
    return 1.0 / (theta ** exponent)


def llama3_inv_freq(inv_freq, factor, low_freq_factor, high_freq_factor, original_max_position_embeddings):
    """Llama 3.1 frequency rescaling (transformers' _compute_llama3_parameters).

    wavelen = 2*pi / inv_freq.
      wavelen < orig / high_freq_factor (high frequency): unchanged
      wavelen > orig / low_freq_factor  (low frequency):  inv_freq / factor
      otherwise: (1 - s) * inv_freq / factor + s * inv_freq,
                 s = (orig / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
    """
    orig = original_max_position_embeddings
    low_freq_wavelen = orig / low_freq_factor
    high_freq_wavelen = orig / high_freq_factor
    wavelen = 2 * math.pi / inv_freq
    scaled = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    smooth = (orig / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
    smoothed = (1 - smooth) * scaled / factor + smooth * scaled
    medium = (wavelen >= high_freq_wavelen) & (wavelen <= low_freq_wavelen)
    return torch.where(medium, smoothed, scaled)


def longrope_inv_freq(theta, dim, ext_factors):
    """1 / (ext * theta^(arange(0, dim, 2) / dim)) in float32 (transformers' _compute_longrope_parameters)."""
    exponent = torch.arange(0, dim, 2, dtype=torch.int64).to(DTYPE) / dim
    return 1.0 / (torch.tensor(ext_factors, dtype=DTYPE) * theta ** exponent)


def rope_inv_freq(config, seq_len=None):
    """Inverse frequencies (float32, length rotary_dim/2) for the config's rope type.

    seq_len (max position + 1) matters only for longrope: long factors beyond the original length.
    """
    s = config.rope_scaling
    if s is not None and s["rope_type"] == "longrope":
        long = seq_len is not None and seq_len > s["original_max_position_embeddings"]
        return longrope_inv_freq(config.rope_theta, config.rotary_dim, s["long_factor" if long else "short_factor"])
    inv = default_inv_freq(config.rope_theta, config.rotary_dim)
    if s is None:
        return inv
    if s["rope_type"] == "linear":
        return inv / float(s["factor"])
    if s["rope_type"] == "llama3":
        return llama3_inv_freq(inv, float(s["factor"]), float(s["low_freq_factor"]), float(s["high_freq_factor"]),
                               s["original_max_position_embeddings"])
    raise ConfigError(f"unsupported rope type {s['rope_type']}")


def rope_cos_sin(inv_freq, positions, attention_factor=1.0):
    """cos, sin of shape [T, rotary_dim] for integer positions [T] (float32 throughout), times the attention factor."""
    freqs = positions.to(DTYPE)[:, None] * inv_freq[None, :]  # outer product, [T, d/2]
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos() * attention_factor, emb.sin() * attention_factor


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def apply_rope(x, cos, sin):
    """x: [heads, T, d]; cos/sin: [T, r] with r <= d: the first r dims rotate, the rest pass through."""
    r = cos.shape[-1]
    rot, rest = x[..., :r], x[..., r:]
    return torch.cat((rot * cos[None] + rotate_half(rot) * sin[None], rest), dim=-1)


# ----------------------------------------------------------------------------- blocks

def rms_norm(x, weight, eps):
    input_dtype = x.dtype
    h = x.to(torch.float32)
    variance = h.pow(2).mean(-1, keepdim=True)
    h = h * torch.rsqrt(variance + eps)
    return weight * h.to(input_dtype)


def linear(x, weight, bias=None):
    y = torch.matmul(x, weight.t())
    return y if bias is None else y + bias


def repeat_kv(x, n_rep):
    """[kv_heads, T, d] -> [kv_heads * n_rep, T, d]; kv head j is copied to heads j*n_rep .. j*n_rep+n_rep-1."""
    if n_rep == 1:
        return x
    kv, t, d = x.shape
    return x[:, None].expand(kv, n_rep, t, d).reshape(kv * n_rep, t, d)


def attention_mask(t, window=None):
    """Boolean [T, T], True where query i may attend key j: j <= i and (no window or j > i - window)."""
    q = torch.arange(t)[:, None]
    k = torch.arange(t)[None, :]
    allowed = k <= q
    if window is not None:
        allowed = allowed & (k > q - window)
    return allowed


# ----------------------------------------------------------------------------- model

class ReferenceModel:
    """Float32 forward pass over a HF checkpoint folder (no KV cache, full recompute)."""

    def __init__(self, config, weights):
        self.config = config
        self.w = weights
        self.inv_freq = rope_inv_freq(config)
        s = config.rope_scaling
        self.attention_factor = s["attention_factor"] if s is not None and "attention_factor" in s else 1.0

    @classmethod
    def load(cls, folder):
        config = load_config(folder)
        arrays, dtypes = safetensors_io.load_checkpoint_folder(folder)
        weights = {k: torch.from_numpy(np.asarray(v, dtype=np.float32).copy()) for k, v in arrays.items()}
        model = cls(config, _select_weights(config, weights, folder))
        model.stored_dtypes = sorted(set(dtypes.values()))
        return model

    def forward(self, input_ids, position_ids=None):
        """Logits [T, vocab] (float32) for a 1-D list/tensor of token ids.

        position_ids defaults to 0..T-1 (as in transformers without a cache); the
        causal / sliding-window mask always uses sequence indices.
        """
        c, w = self.config, self.w
        ids = torch.as_tensor(input_ids, dtype=torch.int64).reshape(-1)
        t = ids.numel()
        if t == 0:
            raise ValueError("input_ids is empty")
        if int(ids.min()) < 0 or int(ids.max()) >= c.vocab_size:
            raise ValueError(f"input ids must be in [0, {c.vocab_size}), got min {int(ids.min())}, "
                             f"max {int(ids.max())}")
        pos = torch.arange(t) if position_ids is None else torch.as_tensor(position_ids).reshape(-1)
        if pos.numel() != t:
            raise ValueError(f"position_ids has {pos.numel()} entries for {t} tokens")
        inv_freq = rope_inv_freq(c, int(pos.max()) + 1)  # longrope switches factors on the sequence length
        cos, sin = rope_cos_sin(inv_freq, pos, self.attention_factor)
        masks = {win: attention_mask(t, win) for win in set(c.layer_windows)}
        h_n, kv_n, d = c.num_attention_heads, c.num_key_value_heads, c.head_dim
        scale = 1.0 / math.sqrt(d)

        x = w["embed"][ids]  # [T, H]
        for i, lw in enumerate(w["layers"]):
            n1 = rms_norm(x, lw["input_layernorm"], c.rms_norm_eps)
            q = linear(n1, lw["q_w"], lw["q_b"]).view(t, h_n, d).transpose(0, 1)
            k = linear(n1, lw["k_w"], lw["k_b"]).view(t, kv_n, d).transpose(0, 1)
            v = linear(n1, lw["v_w"], lw["v_b"]).view(t, kv_n, d).transpose(0, 1)
            if c.qk_norm:
                q, k = rms_norm(q, lw["q_norm"], c.rms_norm_eps), rms_norm(k, lw["k_norm"], c.rms_norm_eps)
            q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
            k, v = repeat_kv(k, h_n // kv_n), repeat_kv(v, h_n // kv_n)
            scores = torch.matmul(q, k.transpose(1, 2)) * scale  # [heads, T, T]
            scores = scores.masked_fill(~masks[c.layer_windows[i]][None], float("-inf"))
            probs = torch.softmax(scores, dim=-1, dtype=torch.float32)
            attn = torch.matmul(probs, v).transpose(0, 1).reshape(t, h_n * d)
            x = x + linear(attn, lw["o_w"], lw["o_b"])

            n2 = rms_norm(x, lw["post_attention_layernorm"], c.rms_norm_eps)
            gate = linear(n2, lw["gate_w"], lw["gate_b"])
            up = linear(n2, lw["up_w"], lw["up_b"])
            x = x + linear(torch.nn.functional.silu(gate) * up, lw["down_w"], lw["down_b"])

        x = rms_norm(x, w["norm"], c.rms_norm_eps)
        return linear(x, w["lm_head"])

    def greedy(self, input_ids, new_tokens):
        """Greedy decoding without a KV cache: each step re-runs the whole sequence.

        Returns (new ids, per-step last-position logits [new_tokens, vocab]).
        torch.argmax picks the first index among equal maxima.
        """
        ids = list(int(i) for i in input_ids)
        out, step_logits = [], []
        for _ in range(new_tokens):
            last = self.forward(ids)[-1]
            nxt = int(torch.argmax(last))
            out.append(nxt)
            step_logits.append(last)
            ids.append(nxt)
        return out, step_logits


def _select_weights(c, t, folder):
    """Map HF tensor names to the pieces the forward pass uses, checking every shape."""
    used = set()

    def get(name, shape, required=True):
        if name not in t:
            if required:
                raise WeightError(f"{folder}: missing tensor '{name}' (expected shape {list(shape)})")
            return None
        if tuple(t[name].shape) != tuple(shape):
            raise WeightError(f"{folder}: tensor '{name}' has shape {list(t[name].shape)}, expected {list(shape)}")
        used.add(name)
        return t[name]

    hd, qd, kvd = c.hidden_size, c.num_attention_heads * c.head_dim, c.num_key_value_heads * c.head_dim
    im = c.intermediate_size
    w = {"embed": get("model.embed_tokens.weight", (c.vocab_size, hd)),
         "norm": get("model.norm.weight", (hd,)), "layers": []}
    for i in range(c.num_hidden_layers):
        p = f"model.layers.{i}."
        if c.fused:
            # Phi-3: split the stored fused matrices into the separate projections.
            qkv = get(p + "self_attn.qkv_proj.weight", (qd + 2 * kvd, hd))
            gate_up = get(p + "mlp.gate_up_proj.weight", (2 * im, hd))
            t[p + "self_attn.q_proj.weight"] = qkv[:qd]
            t[p + "self_attn.k_proj.weight"] = qkv[qd:qd + kvd]
            t[p + "self_attn.v_proj.weight"] = qkv[qd + kvd:]
            t[p + "mlp.gate_proj.weight"] = gate_up[:im]
            t[p + "mlp.up_proj.weight"] = gate_up[im:]
        w["layers"].append({
            "input_layernorm": get(p + "input_layernorm.weight", (hd,)),
            "post_attention_layernorm": get(p + "post_attention_layernorm.weight", (hd,)),
            "q_w": get(p + "self_attn.q_proj.weight", (qd, hd)),
            "k_w": get(p + "self_attn.k_proj.weight", (kvd, hd)),
            "v_w": get(p + "self_attn.v_proj.weight", (kvd, hd)),
            "o_w": get(p + "self_attn.o_proj.weight", (hd, qd)),
            "q_b": get(p + "self_attn.q_proj.bias", (qd,)) if c.qkv_bias else None,
            "k_b": get(p + "self_attn.k_proj.bias", (kvd,)) if c.qkv_bias else None,
            "v_b": get(p + "self_attn.v_proj.bias", (kvd,)) if c.qkv_bias else None,
            "o_b": get(p + "self_attn.o_proj.bias", (hd,)) if c.o_bias else None,
            "gate_w": get(p + "mlp.gate_proj.weight", (im, hd)),
            "up_w": get(p + "mlp.up_proj.weight", (im, hd)),
            "down_w": get(p + "mlp.down_proj.weight", (hd, im)),
            "gate_b": get(p + "mlp.gate_proj.bias", (im,)) if c.mlp_bias else None,
            "up_b": get(p + "mlp.up_proj.bias", (im,)) if c.mlp_bias else None,
            "down_b": get(p + "mlp.down_proj.bias", (hd,)) if c.mlp_bias else None,
            "q_norm": get(p + "self_attn.q_norm.weight", (c.head_dim,)) if c.qk_norm else None,
            "k_norm": get(p + "self_attn.k_norm.weight", (c.head_dim,)) if c.qk_norm else None,
        })
    if c.tie_word_embeddings:
        w["lm_head"] = w["embed"]
        if "lm_head.weight" in t:
            used.add("lm_head.weight")  # HF ties the parameter; the stored copy is not used
    else:
        if "lm_head.weight" not in t:
            raise WeightError(f"{folder}: missing tensor 'lm_head.weight' and tie_word_embeddings is false")
        w["lm_head"] = get("lm_head.weight", (c.vocab_size, hd))
    unused = sorted(n for n in t if n not in used and not n.endswith("rotary_emb.inv_freq"))
    if unused:
        # transformers ignores unexpected keys with a warning; do the same, loudly.
        print(f"warning: {folder}: tensors not used by the model: {unused[:8]}"
              f"{' ...' if len(unused) > 8 else ''}", file=sys.stderr)
    return w


# ----------------------------------------------------------------------------- CLI

def round_sig(x, digits=7):
    """Round to `digits` significant digits (as a Python float, for compact JSON)."""
    return float(f"{float(x):.{digits - 1}e}")


def _rows(t):
    return [[round_sig(v) for v in row] for row in t.tolist()]


def build_golden(folder, input_ids, greedy_new_tokens):
    model = ReferenceModel.load(folder)
    with torch.no_grad():
        logits = model.forward(input_ids)
        greedy_ids, step_logits = model.greedy(input_ids, greedy_new_tokens)
    for name, t in [("logits", logits)] + [(f"greedy step {i} logits", l) for i, l in enumerate(step_logits)]:
        if not bool(torch.isfinite(t).all()):
            raise ValueError(f"{folder}: {name} contain NaN or infinity; the checkpoint's weights are unusable")
    result = {
        "checkpoint": os.path.basename(os.path.normpath(folder)),
        "architecture": model.config.family,
        "input_ids": [int(i) for i in input_ids],
        "logits": _rows(logits),
        "greedy_ids": greedy_ids,
        "greedy_step_logits_max": [round_sig(l.max()) for l in step_logits],
        # margin between the best and second-best logit at each greedy step: a
        # consumer computing in lower precision should only expect the same token
        # where this margin is well above its error.
        "greedy_step_top2_margin": [round_sig(torch.topk(l, 2).values[0] - torch.topk(l, 2).values[1])
                                    if l.numel() > 1 else None for l in step_logits],
        # full last-position logits of each greedy step (to test KV-cached decoding step by step)
        "greedy_step_logits": _rows(torch.stack(step_logits)) if step_logits else [],
        "stored_dtypes": model.stored_dtypes,
        "dtype": "float32",
        "reference": REFERENCE_NAME,
    }
    return result


def _parse_ids(s):
    try:
        ids = [int(p) for p in s.split(",") if p.strip() != ""]
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"--input-ids must be comma-separated integers, got {s!r}") from e
    if not ids:
        raise argparse.ArgumentTypeError("--input-ids is empty")
    return ids


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkpoint", help="folder with config.json and model.safetensors (or a sharded index)")
    ap.add_argument("--input-ids", required=True, type=_parse_ids, help="comma-separated token ids, e.g. 1,5,9")
    ap.add_argument("--greedy-new-tokens", type=int, default=0, help="greedy tokens to generate (no KV cache)")
    ap.add_argument("--out", help="output JSON file (default: stdout)")
    args = ap.parse_args(argv)
    if args.greedy_new_tokens < 0:
        ap.error("--greedy-new-tokens must be >= 0")
    torch.set_grad_enabled(False)
    try:
        result = build_golden(args.checkpoint, args.input_ids, args.greedy_new_tokens)
    except (ConfigError, WeightError, safetensors_io.SafetensorsError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    text = json.dumps(result, separators=(",", ":")) + "\n"
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
