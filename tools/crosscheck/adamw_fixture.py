"""torch.optim.AdamW in float32 on CPU, for packages/train/test/fixtures/adamw-torch.json.

For each case: float32 parameters p0 and three float32 gradients (drawn here with a seeded
torch.Generator, stored in the fixture), three optimizer.step() calls with the default
(single-tensor, CPU) implementation, and p, exp_avg and exp_avg_sq after each step. Arrays are
stored as base64 little-endian float32. n = 1,027 values: not a multiple of torch's vector
width, so its scalar tail is exercised too.

    python3 -m venv /tmp/tv && /tmp/tv/bin/pip install torch
    /tmp/tv/bin/python tools/crosscheck/adamw_fixture.py
    npx prettier --write packages/train/test/fixtures/adamw-torch.json   # the repo lints JSON
"""
import base64, json, pathlib
import torch

OUT = pathlib.Path(__file__).resolve().parents[2] / "packages/train/test/fixtures/adamw-torch.json"
N = 1027
CASES = [
    {"name": "defaults", "lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.01, "seed": 1},
    {"name": "lerp-from-grad", "lr": 0.05, "betas": (0.3, 0.99), "eps": 1e-6, "weight_decay": 0.1, "seed": 2},
]


def b64(t: torch.Tensor) -> str:
    return base64.b64encode(t.detach().to(torch.float32).contiguous().numpy().tobytes()).decode()


def run(case):
    gen = torch.Generator().manual_seed(case["seed"])
    p = torch.nn.Parameter((torch.rand(N, generator=gen) - 0.5) * 0.1)
    grads = [(torch.rand(N, generator=gen) - 0.5) * 10.0 ** (-k) for k in (1, 2, 4)]
    opt = torch.optim.AdamW([p], lr=case["lr"], betas=case["betas"], eps=case["eps"],
                            weight_decay=case["weight_decay"])
    out = {k: case[k] for k in ("name", "lr", "eps", "weight_decay")}
    out["betas"] = list(case["betas"])
    out["p0"] = b64(p)
    out["grads"] = [b64(g) for g in grads]
    out["steps"] = []
    for g in grads:
        p.grad = g.clone()
        opt.step()
        st = opt.state[p]
        out["steps"].append({"p": b64(p), "m": b64(st["exp_avg"]), "v": b64(st["exp_avg_sq"])})
    return out


if __name__ == "__main__":
    torch.manual_seed(0)
    doc = {
        "source": f"torch {torch.__version__} torch.optim.AdamW (default implementation), CPU "
                  f"({torch.backends.cpu.get_cpu_capability()}), float32, n={N}",
        "cases": [run(c) for c in CASES],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=2) + "\n")
    print(OUT, OUT.stat().st_size, "bytes")
