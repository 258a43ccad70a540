#!/usr/bin/python3
"""Reference sampling distributions: Hugging Face transformers' logits warpers re-implemented in
plain PyTorch (transformers is not installable here; Debian's python3-torch 1.13 is).

Followed (read, not copied or imported): transformers/generation/logits_process.py
  - TemperatureLogitsWarper: scores / temperature
  - TopKLogitsWarper: top_k = min(max(top_k, min_tokens_to_keep), vocab); remove scores < the k-th
    largest score (ties with the k-th are kept); filter value -inf
  - TopPLogitsWarper: sort ascending, cumulative softmax; remove where cumulative <= 1 - top_p, but
    always keep the last min_tokens_to_keep (the most probable); scatter back; filter value -inf
and transformers/generation/utils.py `_get_logits_processor`, which applies them in the order
temperature, top-k, top-p, skips temperature 1.0, top_k None/0 and top_p 1.0 (so top_p = 1 is
valid and means "off"). The sampling distribution is softmax of the warped scores.

All math is float32, as in transformers on float32 logits.

Regenerate the fixture (from the repository root):
    /usr/bin/python3 reference/sampling_reference.py tests/Directer.Core.Tests/Fixtures/sampling/distributions.json
"""
import json
import math
import sys

import torch

FILTER = -math.inf


def temperature_warper(scores, temperature):
    return scores / temperature


def top_k_warper(scores, top_k, min_tokens_to_keep=1):
    top_k = min(max(top_k, min_tokens_to_keep), scores.size(-1))
    indices_to_remove = scores < torch.topk(scores, top_k)[0][..., -1, None]
    return scores.masked_fill(indices_to_remove, FILTER)


def top_p_warper(scores, top_p, min_tokens_to_keep=1):
    sorted_logits, sorted_indices = torch.sort(scores, descending=False)
    cumulative_probs = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
    sorted_indices_to_remove = cumulative_probs <= (1 - top_p)
    sorted_indices_to_remove[..., -min_tokens_to_keep:] = 0
    indices_to_remove = sorted_indices_to_remove.scatter(-1, sorted_indices, sorted_indices_to_remove)
    return scores.masked_fill(indices_to_remove, FILTER)


def distribution(logits, temperature, top_k, top_p):
    """The processors transformers builds for do_sample=True, in its order, then softmax."""
    scores = logits.clone()
    if temperature is not None and temperature != 1.0:
        scores = temperature_warper(scores, temperature)
    if top_k is not None and top_k != 0:
        scores = top_k_warper(scores, top_k)
    if top_p is not None and top_p < 1.0:
        scores = top_p_warper(scores, top_p)
    return scores.softmax(dim=-1)


def f32(x):
    """x rounded to float32 (what the C# float settings hold)."""
    return float(torch.tensor(x, dtype=torch.float32).item())


def cases():
    gen = torch.Generator().manual_seed(20261203)
    out = []

    def add(name, logits, temperature, top_k=None, top_p=None):
        out.append((name, logits, f32(temperature), top_k, None if top_p is None else f32(top_p)))

    # Random logits of a few shapes and spreads, every setting alone and combined.
    for i in range(6):
        vocab = [16, 32, 50, 7, 64, 24][i]
        spread = [1.0, 3.0, 0.5, 2.0, 6.0, 1.5][i]
        logits = torch.randn(vocab, generator=gen) * spread
        add(f"random{i}-temperature-only", logits, [0.7, 1.3, 2.0, 0.5, 0.9, 1.0][i])
        add(f"random{i}-top-k", logits, 1.0, top_k=[3, 1, 10, 6, 20, 24][i])
        add(f"random{i}-top-p", logits, 1.0, top_p=[0.9, 0.5, 0.3, 0.95, 0.75, 0.1][i])
        add(f"random{i}-all", logits, [0.7, 1.5, 0.6, 2.5, 0.8, 1.1][i], top_k=[5, 12, 4, 3, 30, 8][i], top_p=[0.8, 0.9, 0.6, 0.99, 0.5, 0.7][i])
        add(f"random{i}-top-p-one", logits, [0.8, 1.2, 1.0, 0.6, 1.4, 0.9][i], top_p=1.0)

    # Order matters: temperature before top-p changes which tokens survive the nucleus.
    logits = torch.tensor([4.0, 3.0, 2.5, 2.0, 1.0, 0.0, -1.0, -3.0])
    for t in (0.25, 0.5, 2.0, 4.0):
        add(f"order-t{t}-p0.8", logits, t, top_p=0.8)
        add(f"order-t{t}-k3-p0.7", logits, t, top_k=3, top_p=0.7)

    # Top-k ties: every token equal to the k-th largest score is kept.
    add("top-k-ties", torch.tensor([1.0, 2.0, 2.0, 2.0, 0.5, -1.0]), 1.0, top_k=2)
    add("top-k-at-vocab", torch.tensor([0.3, -0.2, 1.7, 0.0]), 1.0, top_k=4)
    add("top-k-over-vocab", torch.tensor([0.3, -0.2, 1.7, 0.0]), 1.0, top_k=9)

    # Top-p just above and just below each cumulative mass of a fixed distribution: the kept count
    # steps by exactly one at each boundary.
    logits = torch.tensor([2.0, 1.0, 0.5, 0.0, -0.5, -1.0, -2.0, -4.0])
    cumulative = logits.sort(descending=False)[0].softmax(-1).cumsum(-1)
    for j in range(len(cumulative) - 1):
        mass = float(cumulative[j])
        gap = float(cumulative[j + 1]) - mass if j + 1 < len(cumulative) else 1e-3
        eps = min(gap, mass) * 1e-2
        add(f"top-p-below-mass{j}", logits, 1.0, top_p=1 - mass + eps)   # 1 - p just below the mass: token kept
        add(f"top-p-above-mass{j}", logits, 1.0, top_p=1 - mass - eps)   # 1 - p just above: token removed

    # Exact boundaries with exactly representable masses: 8 equal logits give probabilities 1/8 and
    # cumulative masses k/8 in float32; top_p = 1 - k/8 removes exactly k tokens (cumulative <= 1 - p).
    flat = torch.zeros(8)
    for k in range(1, 8):
        add(f"top-p-exact-{k}of8", flat, 1.0, top_p=1 - k / 8)
    # Same on a tempered flat distribution (temperature does not change equal logits).
    add("top-p-exact-flat-tempered", flat, 0.3, top_p=0.5)
    # A tiny top_p still keeps the most probable token (min_tokens_to_keep = 1).
    add("top-p-small-p-keeps-argmax", torch.tensor([5.0, 1.0, 0.0, -1.0]), 1.0, top_p=1e-6)
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: sampling_reference.py OUT.json")
    rows = []
    for name, logits, temperature, top_k, top_p in cases():
        logits = logits.to(torch.float32)
        probs = distribution(logits, temperature, top_k, top_p)
        rows.append({
            "name": name,
            "logits": [float(v) for v in logits],
            "temperature": temperature,
            "top_k": top_k,
            "top_p": top_p,
            "probabilities": [float(v) for v in probs],
            "kept": int((probs > 0).sum()),
        })
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        json.dump({
            "source": "reference/sampling_reference.py (transformers' Temperature/TopK/TopP logits warpers, float32)",
            "cases": rows,
        }, f, indent=1)
        f.write("\n")
    print(f"wrote {len(rows)} cases to {sys.argv[1]}")


if __name__ == "__main__":
    main()
