"""Maintainer cross-check (not in CI): value-weighted attention (Kobayashi et al. 2020) computed
with transformers, written as the fixture packages/attention/test/fixtures/value-weighted.json.

For each model (the golden tiny-llama and tiny-diffllama, and the tiny-llama / tiny-diffllama
presets that `exp models init` writes), one forward of fixed ids in float64, eager attention,
output_attentions=True, with forward hooks on every layer's v_proj (the values: no RoPE on them)
and o_proj (its input, to check the decomposition). Per layer it writes:

  norms     [H', S]     ‖W_O^h v_j‖: head h's slice of o_proj applied to the value head h reads
  weighted  [H', S, S]  |a_hqj| ‖W_O^h v_j‖ (causal, 0 above the diagonal)
  shares    [H', S, S]  row shares ‖c_hqj‖ / Σ_j ‖c_hqj‖ of the true per-key contributions c_hqj
  lambda_full           DiffLlama only

Llama: H' = H, a = the softmax map α, c_hqj = α_hqj W_O^h v_{kv(h), j}.
DiffLlama: H' = H/2 pairs, a = A_i - λ A_{i+H/2}, V'_j = [v_{kv(i), j} | v_{kv(i+H/2), j}],
c_iqj = (1 - λ_init) r_iq a_iqj W_O^i V'_j with r_iq = 1 / sqrt(mean((Σ_j a_iqj V'_j)^2) + eps):
the weightless RMSNorm (groupnorm) is one scalar per (pair, query row), so it and (1 - λ_init)
cancel in row shares. The script checks that Σ_h Σ_j c_hqj equals o_proj's output (it exits 1
otherwise) and that `shares` equals `weighted` normalised per row.

Usage, from the repository root after `pnpm -F @exp/cli build`:
    /tmp/V/bin/python tools/crosscheck/value_norms_fixture.py [workdir]
"""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import torch
import transformers
from transformers import AutoModelForCausalLM

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT.parent / "shared" / "golden"
OUT = ROOT / "packages/attention/test/fixtures/value-weighted.json"
# golden models have a 512-token vocabulary; the presets the Llama 3 one (BOS first)
GOLDEN_IDS = [1, 17, 300, 42, 7, 511, 99, 256, 3, 128]
PRESET_IDS = [128000, 9906, 1917, 11, 1268, 527, 499, 30, 128009, 100]
DIGITS = 9  # significant digits kept in the fixture (float32 needs ~7.2)


def rounded(x):
    if isinstance(x, list):
        return [rounded(v) for v in x]
    return float(f"{x:.{DIGITS}g}")


def analyse(folder: Path, ids: list[int]) -> dict:
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float64, attn_implementation="eager")
    model.eval()
    cfg = model.config
    diff = cfg.model_type == "diffllama"
    H, KV = cfg.num_attention_heads, cfg.num_key_value_heads
    d = getattr(cfg, "head_dim", None) or cfg.hidden_size // H
    rep = H // KV
    values, o_in, o_out = {}, {}, {}
    hooks = []
    for i, layer in enumerate(model.model.layers):
        attn = layer.self_attn
        hooks.append(attn.v_proj.register_forward_hook(lambda m, a, out, i=i: values.__setitem__(i, out)))

        def keep(m, a, out, i=i):
            o_in[i], o_out[i] = a[0], out

        hooks.append(attn.o_proj.register_forward_hook(keep))
    torch.set_grad_enabled(False)
    with torch.no_grad():
        out = model(torch.tensor([ids]), output_attentions=True)
    for h in hooks:
        h.remove()
    S = len(ids)
    layers = []
    worst_sum = 0.0
    worst_share = 0.0
    for i, layer in enumerate(model.model.layers):
        attn = layer.self_attn
        A = out.attentions[i][0]  # [H, S, S]
        v = values[i][0].view(S, KV, d).transpose(0, 1)  # [KV, S, d]
        v = v.repeat_interleave(rep, dim=0)  # repeat_kv: head h reads kv h // rep
        W = attn.o_proj.weight  # [E, H*d]
        entry = {}
        if diff:
            half = H // 2
            # as transformers: each exp(Σ q·k) summed in float32, then cast to the model's dtype
            lam1 = torch.exp(torch.sum(attn.lambda_q1 * attn.lambda_k1, dim=-1, dtype=torch.float32))
            lam2 = torch.exp(torch.sum(attn.lambda_q2 * attn.lambda_k2, dim=-1, dtype=torch.float32))
            lam = lam1.to(A.dtype) - lam2.to(A.dtype) + attn.lambda_init
            a = A[:half] - lam * A[half:]  # [H/2, S, S]
            vp = torch.cat([v[:half], v[half:]], dim=-1)  # [H/2, S, 2d]
            Wh = W.view(-1, half, 2 * d).permute(1, 0, 2)  # [H/2, E, 2d]
            mixed = a @ vp  # [H/2, S, 2d]
            eps = attn.groupnorm.eps
            r = torch.rsqrt(mixed.pow(2).mean(-1, keepdim=True) + eps)  # [H/2, S, 1]
            coef = (1 - attn.lambda_init) * r * a  # [H/2, S(q), S(j)]
            heads = half
            entry["lambda_full"] = rounded(float(lam))
        else:
            a = A
            vp = v
            Wh = W.view(-1, H, d).permute(1, 0, 2)  # [H, E, d]
            coef = a
            heads = H
        mapped = torch.einsum("hed,hjd->hje", Wh, vp)  # W_O^h v_j: [H', S, E]
        norms = mapped.norm(dim=-1)  # [H', S]
        weighted = a.abs() * norms[:, None, :]
        contrib = coef[..., None] * mapped[:, None, :, :]  # [H', q, j, E]
        total = contrib.sum(dim=(0, 2))  # [S, E]
        worst_sum = max(worst_sum, float((total - o_out[i][0]).abs().max()))
        cn = contrib.norm(dim=-1)  # [H', q, j]
        shares = cn / cn.sum(-1, keepdim=True)
        wshares = weighted / weighted.sum(-1, keepdim=True)
        worst_share = max(worst_share, float((shares - wshares).abs().max()))
        entry.update(
            norms=rounded(norms.tolist()),
            weighted=rounded(weighted.tolist()),
            shares=rounded(shares.tolist()),
        )
        layers.append(entry)
        assert heads == len(entry["norms"])
    print(f"{folder.name}: max |Σ c - o_proj out| {worst_sum:.3e}, max |shares - weighted row shares| {worst_share:.3e}")
    if worst_sum > 1e-9 or worst_share > 1e-9:
        raise SystemExit(f"{folder}: the per-key decomposition does not add up")
    return {"ids": ids, "layers": layers}


def main() -> int:
    work = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/value-norms-fixture")
    work.mkdir(parents=True, exist_ok=True)
    print(f"torch {torch.__version__}, transformers {transformers.__version__}")
    fixture = {
        "about": "tools/crosscheck/value_norms_fixture.py: transformers eager, float64",
        "transformers": transformers.__version__,
        "torch": torch.__version__.split("+")[0],
        "models": {},
    }
    for name in ["tiny-llama", "tiny-diffllama"]:
        fixture["models"][f"golden/{name}"] = analyse(GOLDEN / name, GOLDEN_IDS)
    for name in ["tiny-llama", "tiny-diffllama"]:
        folder = work / name
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run(
            ["node", str(ROOT / "apps/cli/dist/main.js"), "models", "init", "--preset", name, "--out", str(folder)],
            check=True,
        )
        fixture["models"][f"preset/{name}"] = analyse(folder, PRESET_IDS)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
