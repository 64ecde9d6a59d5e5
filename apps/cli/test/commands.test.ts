import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exp, GSM8K_DIR, SHARED_DIR } from './helpers.js';

let root: string;
const env = { ...process.env };

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'cli-cmd-'));
  process.env.EXP_DATA_DIR = path.join(root, 'data');
  process.env.EXP_RESULTS_DIR = path.join(root, 'results');
  delete process.env.EXP_GSM8K_DIR;
  delete process.env.EXP_GSM8K_URL;
});
afterEach(() => {
  process.env = { ...env };
  rmSync(root, { recursive: true, force: true });
});

/** A loopback server with the repository layout; `tamper` changes what test.jsonl serves. */
async function serveGsm8k(
  tamper?: (body: Buffer) => Buffer,
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const m = /\/grade_school_math\/data\/(train|test)\.jsonl$/.exec(req.url ?? '');
    if (!m) {
      res.writeHead(404).end('not found');
      return;
    }
    let body: Buffer = readFileSync(path.join(GSM8K_DIR, `${m[1]}.jsonl`));
    if (m[1] === 'test' && tamper) body = tamper(body);
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('exp data', () => {
  test('pull downloads and verifies both splits from a mirror', async () => {
    const { url, server } = await serveGsm8k();
    try {
      const r = await exp('data', 'pull', '--base-url', url);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toContain(
        'test ' + path.join(root, 'data/gsm8k/test.jsonl') + ' 1319 records sha256 3730d312',
      );
      expect(r.out).toContain('7473 records');
    } finally {
      server.close();
    }
  });

  test('pull with a wrong checksum fails in one line and writes nothing', async () => {
    const { url, server } = await serveGsm8k((b) => Buffer.concat([b, Buffer.from('\n')]));
    try {
      const r = await exp('data', 'pull', '--base-url', url);
      expect(r.code).toBe(1);
      expect(r.err.split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/sha256/);
      expect(existsSync(path.join(root, 'data/gsm8k/test.jsonl'))).toBe(false);
    } finally {
      server.close();
    }
  });

  test('pull rejects a malformed URL', async () => {
    const r = await exp('data', 'pull', '--base-url', 'not a url');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: --base-url: /);
  });

  test('import of a GSM8K folder fills the cache', async () => {
    const r = await exp('data', 'import', GSM8K_DIR);
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(root, 'data/gsm8k/test.jsonl'))).toEqual(
      readFileSync(path.join(GSM8K_DIR, 'test.jsonl')),
    );
  });

  test('import with the gsmplus-distraction preset writes 300 problems', async () => {
    const r = await exp(
      'data',
      'import',
      path.join(SHARED_DIR, 'data/gsm-plus/gsmplus_testmini.jsonl'),
      '--preset',
      'gsmplus-distraction',
    );
    expect(r.err).toBe('');
    const file = path.join(root, 'data/gsmplus-distraction.jsonl');
    expect(r.out).toBe(
      `gsmplus-distraction ${file} 300 records (152 insertions with spans, 148 rewrites)`,
    );
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(300);
  });

  test('import with an unknown preset or no mapping is a usage error', async () => {
    const file = path.join(SHARED_DIR, 'data/gsm-plus/gsmplus_testmini.jsonl');
    let r = await exp('data', 'import', file, '--preset', 'nope');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: --preset: unknown preset "nope"; known: gsmplus-distraction$/);
    r = await exp('data', 'import', file, '--name', 'x');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: --question: /);
    r = await exp(
      'data',
      'import',
      file,
      '--name',
      'x',
      '--question',
      'question',
      '--final',
      'answer',
      '--where',
      'nonsense',
    );
    expect(r.code).toBe(2);
    expect(r.err).toBe('error: --where: expected field=value, got "nonsense"');
  });
});

describe('exp noise generate', () => {
  test('writes the three files; the same seed gives the same bytes', async () => {
    process.env.EXP_GSM8K_DIR = GSM8K_DIR;
    const a = await exp('noise', 'generate', '--out', path.join(root, 'a'), '--seed', '5');
    const b = await exp('noise', 'generate', '--out', path.join(root, 'b'), '--seed', '5');
    expect(a.code).toBe(0);
    expect(a.out.split('\n')).toHaveLength(3);
    for (const t of ['inf', 'rcs', 'sd']) {
      const name = `gsm8k_${t}_test.jsonl`;
      expect(readFileSync(path.join(root, 'a', name))).toEqual(
        readFileSync(path.join(root, 'b', name)),
      );
    }
    expect(b.out.replaceAll('/b/', '/a/')).toBe(a.out);
  });

  test('the original template file reproduces the original protocol', async () => {
    process.env.EXP_GSM8K_DIR = GSM8K_DIR;
    const templates = path.join(SHARED_DIR, 'data/original-noise/templates.json');
    const r = await exp(
      'noise',
      'generate',
      '--out',
      root,
      '--types',
      'rcs',
      '--templates',
      templates,
    );
    expect(r.code).toBe(0);
    const bank = JSON.parse(readFileSync(templates, 'utf8')) as { rcs: string[] };
    const lines = readFileSync(path.join(root, 'gsm8k_rcs_test.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1319);
    for (const line of lines) {
      const rec = JSON.parse(line) as { noise: { text: string }[] };
      expect(bank.rcs).toContain(rec.noise[0].text);
    }
  });

  test('dose, position and mix options name their files; sweep writes every cell', async () => {
    process.env.EXP_GSM8K_DIR = GSM8K_DIR;
    const out = path.join(root, 'd');
    let r = await exp(
      ...['noise', 'generate', '--out', out, '--types', 'sd,mix', '--types-mix', 'inf,rcs'],
      ...['--sentences', '2', '--position', 'middle'],
    );
    expect(r.code).toBe(0);
    expect(r.out.split('\n').map((l) => l.split(' ').slice(0, 2))).toEqual([
      ['sd-k2-middle', path.join(out, 'gsm8k_sd-k2-middle_test.jsonl')],
      ['mix.inf.rcs-k2-middle', path.join(out, 'gsm8k_mix.inf.rcs-k2-middle_test.jsonl')],
    ]);
    const first = JSON.parse(
      readFileSync(path.join(out, 'gsm8k_mix.inf.rcs-k2-middle_test.jsonl'), 'utf8').split(
        '\n',
      )[0]!,
    ) as { noise_type: string; position: string; noise: { type: string }[] };
    expect(first.noise_type).toBe('MIX');
    expect(first.position).toBe('middle');
    expect(first.noise).toHaveLength(2);
    r = await exp(
      ...['noise', 'sweep', '--out', out, '--types', 'rcs', '--sentences', '1,4'],
      ...['--positions', 'early,before-question'],
    );
    expect(r.code).toBe(0);
    expect(r.out.split('\n').map((l) => l.split(' ')[0])).toEqual([
      'rcs-k1-early',
      'rcs-k1-before-question',
      'rcs-k4-early',
      'rcs-k4-before-question',
    ]);
    for (const name of r.out.split('\n').map((l) => l.split(' ')[1]!)) {
      expect(existsSync(name.replace(/\.jsonl$/, '.manifest.json'))).toBe(true);
    }
    r = await exp('noise', 'sweep', '--positions', 'top');
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'error: --positions: expected one of random, early, middle, late, before-question, got "top"',
    );
  });

  test('bad types and seeds are usage errors', async () => {
    let r = await exp('noise', 'generate', '--types', 'inf,xyz');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: --types: /);
    r = await exp('noise', 'generate', '--seed', '1.5');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: --seed: /);
  });
});

describe('exp models', () => {
  test('verify exports a checkpoint on the fly and reports every check', async () => {
    const dir = path.join(SHARED_DIR, 'golden/tiny-llama');
    const r = await exp(
      'models',
      'verify',
      '--checkpoint',
      dir,
      '--golden',
      path.join(dir, 'golden.safetensors'),
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok {4}case_a\.logits +\d\.\d\de-\d+ \(<= 0\.0001\)$/m);
    expect(r.out).toMatch(/^ok {4}generate\.generated_ids +0\.00e\+0 \(<= 0\)$/m);
    expect(r.out).toMatch(/^verified \d+ checks \(fp32\)$/m);
  });

  test("verify fails in one line against another model's reference", async () => {
    const golden = path.join(SHARED_DIR, 'golden/tiny-llama-tied/golden.safetensors');
    const r = await exp(
      'models',
      'verify',
      '--checkpoint',
      path.join(SHARED_DIR, 'golden/tiny-llama'),
      '--golden',
      golden,
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: verification failed: case_a\.logits, /);
  });

  test('init then export writes a model folder with a manifest', async () => {
    const ckpt = path.join(root, 'ckpt');
    let r = await exp('models', 'init', '--preset', 'tiny-llama', '--out', ckpt);
    expect(r.code).toBe(0);
    r = await exp('models', 'export', '--checkpoint', ckpt, '--out', path.join(root, 'onnx'));
    expect(r.err).toBe('');
    expect(r.out).toBe(`exported llama (fp32) to ${path.join(root, 'onnx')}`);
    const manifest = JSON.parse(readFileSync(path.join(root, 'onnx/exp-model.json'), 'utf8'));
    expect(manifest.model_type).toBe('llama');
    for (const f of ['model.onnx', 'config.json', 'tokenizer.json', 'tokenizer_config.json']) {
      expect(existsSync(path.join(root, 'onnx', f))).toBe(true);
    }
  });

  test('export of a folder without a checkpoint names what is missing', async () => {
    const r = await exp('models', 'export', '--checkpoint', root, '--out', path.join(root, 'x'));
    expect(r.code).toBe(1);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toContain(path.join(root, 'config.json'));
  });

  test('pull validates the repo name', async () => {
    const r = await exp('models', 'pull', 'not-a-repo');
    expect(r.code).toBe(2);
    expect(r.err).toBe('error: --repo: expected <owner>/<name>[:subfolder], got "not-a-repo"');
  });
});
