#!/usr/bin/env python3
"""Continues (or starts) the demo model's training on an accelerator: PyTorch only, no .NET.

Why: the demo model (models/directer-demo, Qwen2 layout) is trained by tools/Directer.Training on TorchSharp; on
the project's 2-core machines that runs at ~4,000 tokens/s, compute-bound, so a stage costs hours. The machine
with a GPU has Python and PyTorch but no dotnet. So the .NET tool exports the exact training stream
(`export-tokens`: the same conversations, rendering, tokenization and loss masks as `train`), and this script
trains on it with the same objective and optimiser:

  * model: Qwen2ForCausalLM math (RMSNorm, rotary, GQA attention with q/k/v biases, SiLU MLP, tied embeddings),
    parameters named as Hugging Face names them, so the result is a checkpoint folder every Directer front end
    (and transformers) loads;
  * loss: mean cross-entropy over the next tokens flagged trainable (assistant replies), as Qwen2ForTraining.Loss;
  * AdamW (betas 0.9/0.95, eps 1e-8, weight decay on matrices only), gradient clipping, linear warm-up then cosine
    decay to 0.1x the peak (LearningRateSchedule.cs); batches of similar length (pools of 8 batches sorted by
    length, then shuffled, as BatchSource.cs).

Prove it before trusting it: `--check` compares this module's float32 logits with reference/llama_reference.py
(an independent forward of transformers' math) on the init checkpoint and exits; a few CPU steps and
`directer eval-demo --model OUT` check the written folder end to end (tools/gpu-training/README.md).

Usage (repository root):
  python3 tools/gpu-training/train.py --data EXPORT_DIR --init models/directer-demo --out OUT \
      --steps 4000 --batch 64 --lr 6e-4 --warmup 100 [--device cuda] [--compute bf16]
  python3 tools/gpu-training/train.py --init models/directer-demo --check
"""
import argparse
import gzip
import json
import math
import os
import shutil
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "reference"))
import safetensors_io  # noqa: E402  (the repository's own reader/writer, numpy only)

EXPORT_FORMAT = "directer-training-tokens/1"
IGNORE = -100
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "generation_config.json")


# ----------------------------------------------------------------------------- data

def read_export(folder):
    """(list of (ids int64 array, trainable bool array), export.json) from an `export-tokens` folder."""
    with open(os.path.join(folder, "export.json"), encoding="utf-8") as f:
        meta = json.load(f)
    if meta.get("format") != EXPORT_FORMAT:
        raise ValueError(f"{folder}/export.json: format {meta.get('format')!r}, expected {EXPORT_FORMAT!r}")
    with gzip.open(os.path.join(folder, "examples.bin.gz"), "rb") as f:
        data = f.read()
    examples, pos = [], 0
    while pos < len(data):
        (n,) = struct.unpack_from("<I", data, pos)
        pos += 4
        ids = np.frombuffer(data, dtype="<u2", count=n, offset=pos).astype(np.int64)
        pos += 2 * n
        flags = np.frombuffer(data, dtype=np.uint8, count=n, offset=pos).astype(bool)
        pos += n
        examples.append((ids, flags))
    if len(examples) != meta["examples"]:
        raise ValueError(f"{folder}: examples.bin.gz holds {len(examples)} examples, export.json says {meta['examples']}")
    return examples, meta


def batches(examples, batch_size, seed, pad_id):
    """Endless (input ids [B, T], labels [B, T]) batches: pools of 8 batches sorted by length, pools and epochs shuffled."""
    rng = np.random.default_rng(seed)
    pool_size = 8 * batch_size
    while True:
        order = rng.permutation(len(examples))
        for start in range(0, len(order) - pool_size + 1, pool_size):
            pool = sorted(order[start:start + pool_size], key=lambda i: len(examples[i][0]))
            groups = [pool[b * batch_size:(b + 1) * batch_size] for b in range(8)]
            rng.shuffle(groups)
            for group in groups:
                yield collate([examples[i] for i in group], pad_id)


def collate(rows, pad_id):
    """As Batch.cs: inputs are ids[:-1], the label at i is ids[i + 1] where that token is trainable, else ignored."""
    t = max(len(ids) for ids, _ in rows) - 1
    inputs = np.full((len(rows), t), pad_id, dtype=np.int64)
    labels = np.full((len(rows), t), IGNORE, dtype=np.int64)
    for r, (ids, flags) in enumerate(rows):
        n = len(ids) - 1
        inputs[r, :n] = ids[:-1]
        labels[r, :n] = np.where(flags[1:], ids[1:], IGNORE)
    return torch.from_numpy(inputs), torch.from_numpy(labels)


# ----------------------------------------------------------------------------- model

class RmsNorm(nn.Module):
    def __init__(self, size, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x):
        h = x.float()
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * h.to(x.dtype)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads, self.kv_heads = c["num_attention_heads"], c["num_key_value_heads"]
        self.head_dim = c.get("head_dim") or c["hidden_size"] // self.heads
        h = c["hidden_size"]
        self.q_proj = nn.Linear(h, self.heads * self.head_dim, bias=True)
        self.k_proj = nn.Linear(h, self.kv_heads * self.head_dim, bias=True)
        self.v_proj = nn.Linear(h, self.kv_heads * self.head_dim, bias=True)
        self.o_proj = nn.Linear(self.heads * self.head_dim, h, bias=False)

    def forward(self, x, cos, sin):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        groups = self.heads // self.kv_heads
        k = k.repeat_interleave(groups, dim=1)  # kv head j serves query heads j*g .. j*g+g-1
        v = v.repeat_interleave(groups, dim=1)
        if hasattr(F, "scaled_dot_product_attention"):
            out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:  # torch 1.x (the CPU check on the development machines)
            scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
            causal = torch.ones(t, t, dtype=torch.bool, device=x.device).tril()
            scores = scores.masked_fill(~causal, float("-inf"))
            out = torch.matmul(torch.softmax(scores.float(), dim=-1).to(v.dtype), v)
        return self.o_proj(out.transpose(1, 2).reshape(b, t, self.heads * self.head_dim))


def rope(x, cos, sin):
    half = x.shape[-1] // 2
    rotated = torch.cat((-x[..., half:], x[..., :half]), dim=-1)
    return x * cos + rotated * sin


class Mlp(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.gate_proj = nn.Linear(c["hidden_size"], c["intermediate_size"], bias=False)
        self.up_proj = nn.Linear(c["hidden_size"], c["intermediate_size"], bias=False)
        self.down_proj = nn.Linear(c["intermediate_size"], c["hidden_size"], bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.input_layernorm = RmsNorm(c["hidden_size"], c["rms_norm_eps"])
        self.self_attn = Attention(c)
        self.post_attention_layernorm = RmsNorm(c["hidden_size"], c["rms_norm_eps"])
        self.mlp = Mlp(c)

    def forward(self, x, cos, sin):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin)
        return x + self.mlp(self.post_attention_layernorm(x))


class Decoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList(Layer(c) for _ in range(c["num_hidden_layers"]))
        self.norm = RmsNorm(c["hidden_size"], c["rms_norm_eps"])


class Qwen2(nn.Module):
    """Qwen2ForCausalLM with tied embeddings; state_dict keys are Hugging Face's (model.layers.0.self_attn.q_proj.weight ...)."""

    def __init__(self, c):
        super().__init__()
        if c.get("model_type") != "qwen2" or not c.get("tie_word_embeddings", False):
            raise ValueError("this trainer builds the demo model's layout: model_type qwen2 with tie_word_embeddings true")
        if c.get("rope_scaling") or c.get("use_sliding_window"):
            raise ValueError("rope_scaling and sliding windows are not part of the demo model's layout")
        self.config = c
        self.model = Decoder(c)
        head_dim = c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]
        inv_freq = 1.0 / (c["rope_theta"] ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    def hidden(self, ids):
        t = ids.shape[1]
        angles = torch.outer(torch.arange(t, device=ids.device, dtype=torch.float32), self.inv_freq)
        angles = torch.cat((angles, angles), dim=-1)
        cos, sin = angles.cos()[None, None], angles.sin()[None, None]
        x = self.model.embed_tokens(ids)
        for layer in self.model.layers:
            x = layer(x, cos, sin)
        return self.model.norm(x)

    def logits(self, ids):
        return torch.matmul(self.hidden(ids), self.model.embed_tokens.weight.t())

    def loss(self, ids, labels):
        h = self.hidden(ids).reshape(-1, self.config["hidden_size"])
        flat = labels.reshape(-1)
        keep = (flat != IGNORE).nonzero().squeeze(1)
        logits = torch.matmul(h.index_select(0, keep), self.model.embed_tokens.weight.t()).float()
        return F.cross_entropy(logits, flat.index_select(0, keep))


def load_model(folder, config):
    model = Qwen2(config)
    arrays, _ = safetensors_io.load_checkpoint_folder(folder)
    state = {k: torch.from_numpy(np.asarray(v, dtype=np.float32).copy()) for k, v in arrays.items() if k != "lm_head.weight"}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise ValueError(f"{folder}: tensors missing {missing}, unexpected {unexpected}")
    return model


def new_model(config, seed):
    """Random weights as transformers initialises Qwen2: normal(0, initializer_range), zero biases, unit norms."""
    torch.manual_seed(seed)
    model = Qwen2(config)
    std = config.get("initializer_range", 0.02)
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=std)
            if getattr(module, "bias", None) is not None:
                nn.init.zeros_(module.bias)
    return model


def save(model, out, init, config, metadata):
    os.makedirs(out, exist_ok=True)
    tensors = {k: v.detach().float().cpu().numpy() for k, v in model.state_dict().items()}
    safetensors_io.save_file(os.path.join(out, "model.safetensors"), tensors, metadata={"format": "pt", **metadata})
    with open(os.path.join(out, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
    for name in TOKENIZER_FILES:
        shutil.copyfile(os.path.join(init, name), os.path.join(out, name))


# ----------------------------------------------------------------------------- schedule and checks

def learning_rate(step, peak, warmup, total, min_ratio=0.1, time_progress=0.0):
    """Warm-up over steps, then cosine decay over the steps or, with a time budget, over whichever runs out first."""
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = 1.0 if total <= warmup else min(1.0, (step - warmup) / (total - warmup))
    progress = max(progress, min(1.0, time_progress))
    return peak * (min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress)))


def check_against_reference(folder, ids):
    """Max |logit difference| between this module and reference/llama_reference.py, float32 on the CPU."""
    import llama_reference
    with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    ours = load_model(folder, config).eval()
    reference = llama_reference.ReferenceModel.load(folder)
    with torch.no_grad():
        a = ours.logits(torch.tensor([ids]))[0]
        b = reference.forward(ids)
    return float((a - b).abs().max()), float(b.abs().max())


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--init", required=True, help="checkpoint folder: weights to continue from (or, with --new-size, only its tokenizer and config)")
    p.add_argument("--check", action="store_true", help="compare the logits with reference/llama_reference.py on --init and exit")
    p.add_argument("--data", help="folder written by `Directer.Training export-tokens`")
    p.add_argument("--out", help="checkpoint folder to write")
    p.add_argument("--new-size", help="start from random weights with these config changes, e.g. hidden_size=384,num_hidden_layers=6,intermediate_size=1024")
    p.add_argument("--steps", type=int, default=1000, help="most steps (with --minutes, an upper bound)")
    p.add_argument("--minutes", type=float, default=0.0,
                   help="train for this long, then save: the cosine decay follows the clock, so a run sized to a device lease still ends decayed")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=6e-4)
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--grad-clip", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--compute", choices=["f32", "bf16"], default="bf16", help="autocast dtype on CUDA (weights and optimiser stay float32)")
    p.add_argument("--save-every", type=int, default=0)
    p.add_argument("--log-every", type=int, default=20)
    a = p.parse_args(argv)

    if a.check:
        ids = [int(i) for i in np.random.default_rng(0).integers(0, 2000, size=48)]
        diff, scale = check_against_reference(a.init, ids)
        print(f"max |logit difference| against reference/llama_reference.py: {diff:.3g} (largest logit {scale:.3g})")
        return 0 if diff <= 1e-4 * max(1.0, scale) else 1
    if not a.data or not a.out:
        p.error("--data and --out are required to train")

    examples, meta = read_export(a.data)
    with open(os.path.join(a.init, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    if meta["vocab_size"] != config["vocab_size"]:
        raise ValueError(f"export vocabulary {meta['vocab_size']} != config vocab_size {config['vocab_size']}")
    if a.new_size:
        for item in a.new_size.split(","):
            key, value = item.split("=")
            config[key] = int(value)
        model = new_model(config, a.seed)
    else:
        model = load_model(a.init, config)
    device = torch.device(a.device)
    model.to(device).train()
    params = sum(p.numel() for p in model.parameters())
    print(f"{params:,} parameters ({params * 4 / 1e6:.1f} MB as float32); {len(examples)} examples, "
          f"{meta['tokens']:,} tokens; device {device}" + (f" ({torch.cuda.get_device_name(device)})" if device.type == "cuda" else ""))

    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    # fused AdamW is the same update in one kernel per step (CUDA only): the demo model is small enough that
    # kernel launches, not arithmetic, bound the step.
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": a.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
                                  lr=a.lr, betas=(0.9, 0.95), eps=1e-8, **({"fused": True} if device.type == "cuda" else {}))
    autocast = device.type == "cuda" and a.compute == "bf16"
    stream = batches(examples, a.batch, a.seed, meta["pad_id"])
    losses, tokens, start = [], 0, time.time()
    budget = a.minutes * 60.0
    done = 0
    for step in range(a.steps):
        elapsed = time.time() - start
        if budget and elapsed >= budget:
            break
        lr = learning_rate(step, a.lr, a.warmup, a.steps, time_progress=elapsed / budget if budget else 0.0)
        for group in optimizer.param_groups:
            group["lr"] = lr
        inputs, labels = next(stream)
        tokens += int((inputs != meta["pad_id"]).sum())
        inputs, labels = inputs.to(device), labels.to(device)
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=autocast):
            loss = model.loss(inputs, labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), a.grad_clip)
        optimizer.step()
        value = loss.item()
        if not math.isfinite(value):
            raise RuntimeError(f"loss became {value} at step {step}; lower --lr")
        losses.append(value)
        done = step + 1
        if done % a.log_every == 0 or done == a.steps:
            elapsed = time.time() - start
            print(f"step {done:6d}/{a.steps}  loss {np.mean(losses[-a.log_every:]):.4f}  lr {lr:.2e}  "
                  f"{tokens / elapsed:,.0f} tok/s  elapsed {elapsed / 60:.1f} min", flush=True)
        if a.save_every and done % a.save_every == 0 and done != a.steps:
            save(model, a.out, a.init, config, {"directer.training.steps": str(done)})

    final = float(np.mean(losses[-50:]))
    save(model, a.out, a.init, config, {"directer.training.steps": str(done), "directer.training.final_loss": f"{final:.4f}"})
    report = {
        "command": "python3 tools/gpu-training/train.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "export": meta.get("command"),
        "steps": done, "max_steps": a.steps, "minutes": a.minutes or None, "batch": a.batch,
        "tokens": tokens, "new_size": a.new_size, "peak_lr": a.lr, "warmup": a.warmup, "seed": a.seed,
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "compute": "bf16 autocast" if autocast else "float32",
        "parameters": params,
        "train_seconds": round(time.time() - start, 1),
        "tokens_per_second": round(tokens / max(time.time() - start, 1e-9)),
        "final_loss": round(final, 4),
        "torch": torch.__version__,
    }
    with open(os.path.join(a.out, "gpu_training_report.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2)
    print(f"wrote {a.out} (final loss {final:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
