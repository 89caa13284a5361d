"""PyTorch side of `kiln bench generation`: tokens/s of batch-1 generation with a key/value cache.

The model is the charlm anchor's GPT (scripts/fixtures/char_gpt.py: 4 pre-LayerNorm blocks,
d_model 128, 4 heads, learned positions, vocabulary 113, N(0, 0.02) weights, seeded), its position
table long enough for the prompt and the new tokens. The decode loop is the usual PyTorch one: each
attention layer keeps preallocated key/value buffers, writes the new positions in place and calls
F.scaled_dot_product_attention on the filled prefix, under torch.inference_mode(). A run feeds a
random prompt of --prompt tokens, then draws --tokens tokens one at a time (greedy, and top-k
sampling at temperature 1); tokens/s counts the new tokens over the run's whole time.

Prints one JSON line: the medians over --runs runs (after one warm-up run) and each run's figure.

Usage: python scripts/bench/generation_torch.py [--threads 2] [--tokens 256] [--prompt 16] [--runs 7]
"""
import argparse
import json
import os
import statistics
import sys
import time

from torch_threads import torch_and_arguments

parser = argparse.ArgumentParser()
parser.add_argument("--tokens", type=int, default=256, help="new tokens per run")
parser.add_argument("--prompt", type=int, default=16, help="prompt length")
parser.add_argument("--runs", type=int, default=7, help="timed runs per sampler")
parser.add_argument("--top-k", type=int, default=40, help="candidates kept by top-k sampling")
parser.add_argument("--seed", type=int, default=0)
torch, args = torch_and_arguments(parser)
if min(args.tokens, args.prompt, args.runs, args.top_k) < 1:
    parser.error("--tokens, --prompt, --runs and --top-k must be at least 1")

import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
from char_gpt import CharGPT  # noqa: E402

VOCAB, D_MODEL, N_LAYER, N_HEAD = 113, 128, 4, 4
HEAD_DIM = D_MODEL // N_HEAD
CONTEXT = args.prompt + args.tokens


def generate(model, prompt, count, top_k, generator):
    """The prompt followed by `count` tokens, greedy when top_k is None."""
    B = prompt.shape[0]
    caches = [(torch.empty(B, N_HEAD, CONTEXT, HEAD_DIM), torch.empty(B, N_HEAD, CONTEXT, HEAD_DIM))
              for _ in range(N_LAYER)]
    tokens = [prompt]
    logits = model(prompt, caches, 0)[:, -1]
    position = prompt.shape[1]
    for step in range(count):
        if top_k is None:
            next_token = logits.argmax(dim=-1, keepdim=True)
        else:
            top, ids = torch.topk(logits, top_k, dim=-1)
            choice = torch.multinomial(F.softmax(top, dim=-1), 1, generator=generator)
            next_token = ids.gather(-1, choice)
        tokens.append(next_token)
        if step + 1 < count:
            logits = model(next_token, caches, position)[:, -1]
            position += 1
    return torch.cat(tokens, dim=1)


torch.manual_seed(args.seed)
model = CharGPT(VOCAB, D_MODEL, N_LAYER, N_HEAD, CONTEXT).eval()
prompt = torch.randint(0, VOCAB, (1, args.prompt), generator=torch.Generator().manual_seed(args.seed + 1))
samplers = {"greedy": None, f"top_{args.top_k}": args.top_k}
runs = {name: [] for name in samplers}
with torch.inference_mode():
    for top_k in samplers.values():   # one warm-up run each
        generate(model, prompt, args.tokens, top_k, torch.Generator().manual_seed(args.seed + 2))
    for _ in range(args.runs):   # the samplers take turns, so a slow spell hits both alike
        for name, top_k in samplers.items():
            generator = torch.Generator().manual_seed(args.seed + 2)
            t0 = time.perf_counter()
            out = generate(model, prompt, args.tokens, top_k, generator)
            runs[name].append(args.tokens / (time.perf_counter() - t0))
            assert out.shape == (1, args.prompt + args.tokens)

result = {"impl": "torch", "torch": torch.__version__, "threads": torch.get_num_threads(),
          "prompt": args.prompt, "tokens": args.tokens, "runs": args.runs}
for name, figures in runs.items():
    result[f"{name}_tokens_per_s"] = round(statistics.median(figures), 1)
    result[f"{name}_runs"] = [round(f, 1) for f in figures]
print(json.dumps(result))
