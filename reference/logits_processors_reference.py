#!/usr/bin/python3
"""Reference values for Directer's token rules: penalties, then temperature / top-k / top-p.

Writes tests/Directer.Core.Tests/Fixtures/logits/penalties.json: per case, random float32 logits
[rows, vocab], a prompt and a generated-id history, the settings, the logits after the penalties and
the sampling distribution after temperature, top-k and top-p.

transformers and vLLM are not installable on the development machines (no PyPI), so their formulas are
re-implemented here from their sources (read, not copied, not imported), in plain torch float32:

* repetition penalty: transformers `generation/logits_process.py`, `RepetitionPenaltyLogitsProcessor.__call__`
  (gather the scores of `input_ids`, `where(score < 0, score * penalty, score / penalty)`, scatter back).
  `input_ids` in `generate` hold the prompt and the generated tokens, so both count.
* frequency / presence penalties: vLLM's sampler (`model_executor/layers/sampler.py` `_apply_penalties`, and
  `layers/utils.py` `apply_penalties` in later versions): over the OUTPUT tokens only, with a float32 per-vocab
  bin count, `logits -= frequency * counts`, then `logits -= presence * (counts > 0)`; vLLM applies the
  repetition penalty first (over prompt and output), as here.
* order: transformers' `_get_logits_processor` appends `RepetitionPenaltyLogitsProcessor` before the sampling
  warpers, and the warpers run `TemperatureLogitsWarper`, `TopKLogitsWarper`, `TopPLogitsWarper` in that order
  (`logits_process.py`: top-k keeps scores >= the k-th largest; top-p sorts ascending, removes the tokens whose
  cumulative probability is <= 1 - top_p, always keeping the most probable one).

Run with Debian's torch:  /usr/bin/python3 reference/logits_processors_reference.py
"""
import json
import os
import sys

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "Directer.Core.Tests", "Fixtures", "logits", "penalties.json")


def f32(x):
    """The float32 nearest x, as a Python float (exact), so both sides use the same setting."""
    return None if x is None else float(torch.tensor(x, dtype=torch.float32).item())


def repetition_penalty(scores, input_ids, penalty):
    # transformers RepetitionPenaltyLogitsProcessor: scores [batch, vocab], input_ids [batch, seq].
    score = torch.gather(scores, 1, input_ids)
    score = torch.where(score < 0, score * penalty, score / penalty)
    return scores.scatter(1, input_ids, score)


def frequency_presence(scores, output_ids, frequency, presence):
    # vLLM _apply_penalties: bin counts of the output tokens per vocab id (float32 products).
    rows, vocab = scores.shape
    counts = torch.zeros(vocab, dtype=torch.long)
    counts.scatter_add_(0, output_ids, torch.ones_like(output_ids))
    counts = counts.unsqueeze(0).expand(rows, vocab)
    frequency_t = torch.full((rows, 1), frequency, dtype=torch.float32)
    presence_t = torch.full((rows, 1), presence, dtype=torch.float32)
    scores = scores - frequency_t * counts
    scores = scores - presence_t * (counts > 0)
    return scores


def warp(scores, temperature, top_k, top_p):
    # transformers TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper (filter value -inf, keep >= 1).
    scores = scores / temperature
    if top_k is not None:
        k = min(top_k, scores.size(-1))
        kth = torch.topk(scores, k)[0][..., -1, None]
        scores = scores.masked_fill(scores < kth, -float("inf"))
    if top_p is not None and top_p < 1:
        sorted_logits, sorted_indices = torch.sort(scores, descending=False)
        cumulative = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
        remove_sorted = cumulative <= (1 - top_p)
        remove_sorted[..., -1:] = False
        remove = remove_sorted.scatter(1, sorted_indices, remove_sorted)
        scores = scores.masked_fill(remove, -float("inf"))
    return scores.softmax(dim=-1)


CASES = [
    # name, rows, vocab, prompt length, generated length, repetition, frequency, presence, temperature, top_k, top_p
    ("repetition-only-greedy", 1, 32, 6, 5, 1.3, None, None, None, None, None),
    ("all-three-sampled", 3, 48, 8, 12, 1.2, 0.5, 0.3, 0.7, 10, 0.9),
    ("frequency-presence-negative", 2, 40, 5, 15, None, -0.75, 1.5, 1.3, None, 0.8),
    ("repetition-below-one-extremes", 1, 24, 4, 20, 0.8, 2.0, -2.0, 1.0, 5, None),
    ("first-step-nothing-generated", 2, 32, 7, 0, 1.5, 1.0, 1.0, 0.9, 8, 0.95),
    ("zeros-and-signs", 1, 16, 6, 6, 2.0, 0.25, 0.0, 0.5, None, None),
]


def main():
    generator = torch.Generator().manual_seed(20261203)
    cases = []
    for name, rows, vocab, prompt_len, gen_len, rep, freq, pres, temp, top_k, top_p in CASES:
        logits = (torch.randn(rows, vocab, generator=generator) * 3).to(torch.float32)
        # Ids drawn from a small range so that repeats happen.
        prompt = torch.randint(0, vocab // 2, (prompt_len,), generator=generator)
        generated = torch.randint(0, vocab // 2, (gen_len,), generator=generator)
        if name == "zeros-and-signs":
            logits[0, prompt[:3]] = 0.0  # zero stays zero under either branch
        rep, freq, pres, temp, top_p = f32(rep), f32(freq), f32(pres), f32(temp), f32(top_p)
        processed = logits.clone()
        if rep is not None and rep != 1:
            input_ids = torch.cat([prompt, generated]).unsqueeze(0).expand(rows, -1)
            processed = repetition_penalty(processed, input_ids, rep)
        if (freq or 0) != 0 or (pres or 0) != 0:
            processed = frequency_presence(processed, generated, freq or 0.0, pres or 0.0)
        case = {
            "name": name,
            "prompt": prompt.tolist(),
            "generated": generated.tolist(),
            "repetition_penalty": rep,
            "frequency_penalty": freq,
            "presence_penalty": pres,
            "temperature": temp,
            "top_k": top_k,
            "top_p": top_p,
            "logits": logits.tolist(),
            "processed": processed.tolist(),
            "probabilities": warp(processed, temp, top_k, top_p).tolist() if temp is not None else None,
        }
        cases.append(case)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"generator": "reference/logits_processors_reference.py", "torch": torch.__version__, "cases": cases}, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.normpath(OUT)} ({len(cases)} cases)", file=sys.stderr)


if __name__ == "__main__":
    main()
