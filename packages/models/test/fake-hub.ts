// A loopback stand-in for the Hugging Face Hub, for tests. It serves the routes pullModel
// reaches, as read from @huggingface/hub's source (modelInfo, listFiles) and from the resolve
// URLs we build ourselves:
//   GET /api/models/{repo}/revision/{rev}?expand=...   -> { _id, id, sha, ... }
//   GET /api/models/{repo}/tree/{rev}[/{path}]?recursive=false&expand=false -> entries
//   GET /{repo}/resolve/{rev}/{path}   -> the file (Range aware), or for LFS files a 302 to a
//                                         second server on another port (the "CDN")
// Private repos answer 401 without `Authorization: Bearer <token>`; unknown repos, revisions
// and paths answer 404 with HF's X-Error-Code header. Faults can be injected per file.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRepo {
  /** "org/name" */
  repo: string;
  /** branch/tag -> commit sha (40 hex). */
  refs: Record<string, string>;
  /** path -> content. */
  files: Record<string, Buffer>;
  /** Paths served as LFS (sha256 oid, CDN redirect). */
  lfs: (path: string) => boolean;
  /** Token required (as "Bearer <token>") when set. */
  token?: string;
  /** Answer 403 to everyone (a gated repo whose licence was not accepted). */
  gated?: boolean;
}

/** 'truncate-once': the next full GET sends half the bytes then drops the connection. */
export type Fault = 'truncate-once' | 'corrupt';

export interface LoggedRequest {
  server: 'hub' | 'cdn';
  method: string;
  url: string;
  range?: string;
  authorization?: string;
}

export interface FakeHub {
  endpoint: string;
  log: LoggedRequest[];
  faults: Map<string, Fault>;
  close(): Promise<void>;
}

export function gitBlobSha1(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

export function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

function json(res: http.ServerResponse, status: number, body: unknown, errorCode?: string) {
  res.writeHead(status, {
    'Content-Type': 'application/json',
    ...(errorCode ? { 'X-Error-Code': errorCode } : {}),
  });
  res.end(JSON.stringify(body));
}

/** Sends `content` honouring a Range header, applying a fault if one is set. */
function sendFile(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  content: Buffer,
  fault: Fault | undefined,
  clearFault: () => void,
) {
  let body = fault === 'corrupt' ? Buffer.from(content.map((b) => b ^ 0xff)) : content;
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (range) {
    const start = Number(range[1]);
    if (start >= content.length) {
      res.writeHead(416, { 'Content-Range': `bytes */${content.length}` });
      res.end();
      return;
    }
    res.writeHead(206, {
      'Content-Length': String(content.length - start),
      'Content-Range': `bytes ${start}-${content.length - 1}/${content.length}`,
    });
    res.end(body.subarray(start));
    return;
  }
  res.writeHead(200, { 'Content-Length': String(content.length), 'Accept-Ranges': 'bytes' });
  if (fault === 'truncate-once') {
    clearFault();
    body = body.subarray(0, Math.floor(content.length / 2));
    // the connection closes half a second after the half was sent: a client's fetch drops the
    // bytes it has received but not yet read when the body ends early, so it is given time to
    // read them all even on a loaded machine (10 ms were not always enough in CI)
    res.write(body, () => setTimeout(() => res.socket?.end(), 500));
    return;
  }
  res.end(body);
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function startFakeHub(repos: FakeRepo[]): Promise<FakeHub> {
  const log: LoggedRequest[] = [];
  const faults = new Map<string, Fault>();
  const byName = new Map(repos.map((r) => [r.repo, r]));
  const blobsByOid = new Map<string, { content: Buffer; path: string }>();
  for (const r of repos) {
    for (const [p, content] of Object.entries(r.files)) {
      if (r.lfs(p)) blobsByOid.set(sha256(content), { content, path: p });
    }
  }
  const record = (server: 'hub' | 'cdn', req: http.IncomingMessage) =>
    log.push({
      server,
      method: req.method ?? 'GET',
      url: req.url ?? '',
      range: req.headers.range,
      authorization: req.headers.authorization,
    });

  const cdn = http.createServer((req, res) => {
    record('cdn', req);
    // Signed CDN URLs reject a bearer token, as S3/CloudFront do.
    if (req.headers.authorization) return json(res, 400, { error: 'Authorization not allowed' });
    const oid = new URL(req.url ?? '/', 'http://x').pathname.slice(1);
    const blob = blobsByOid.get(oid);
    if (!blob) return json(res, 404, { error: 'no such blob' });
    sendFile(req, res, blob.content, faults.get(blob.path), () => faults.delete(blob.path));
  });
  const cdnUrl = await listen(cdn);

  const hub = http.createServer((req, res) => {
    record('hub', req);
    const url = new URL(req.url ?? '/', 'http://x');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const api = parts[0] === 'api' && parts[1] === 'models';
    const repoName = api ? `${parts[2]}/${parts[3]}` : `${parts[0]}/${parts[1]}`;
    const repo = byName.get(repoName);
    if (!repo) return json(res, 404, { error: 'Repository not found' }, 'RepoNotFound');
    if (repo.gated)
      return json(res, 403, { error: 'Access to this repo is restricted' }, 'GatedRepo');
    if (repo.token && req.headers.authorization !== `Bearer ${repo.token}`) {
      return json(res, 401, { error: 'Invalid credentials in Authorization header' });
    }
    const [kind, rev, ...rest] = api ? parts.slice(4) : parts.slice(2);
    const commit = /^[0-9a-f]{40}$/.test(rev ?? '') ? rev : repo.refs[rev ?? ''];
    if (!commit || !Object.values(repo.refs).includes(commit)) {
      return json(res, 404, { error: 'Invalid rev id' }, 'RevisionNotFound');
    }
    const sub = rest.join('/');
    if (api && kind === 'revision') {
      return json(res, 200, {
        _id: 'fake',
        id: repo.repo,
        sha: commit,
        private: !!repo.token,
        gated: false,
        downloads: 0,
        likes: 0,
        lastModified: '2024-01-01T00:00:00.000Z',
        pipeline_tag: 'text-generation',
      });
    }
    if (api && kind === 'tree') {
      const prefix = sub ? `${sub}/` : '';
      const children = new Map<string, unknown>();
      for (const [p, content] of Object.entries(repo.files)) {
        if (!p.startsWith(prefix)) continue;
        const [head, ...tail] = p.slice(prefix.length).split('/');
        const child = prefix + head;
        if (tail.length > 0) {
          children.set(child, { type: 'directory', oid: '0'.repeat(40), size: 0, path: child });
        } else {
          const lfs = repo.lfs(p);
          children.set(child, {
            type: 'file',
            oid: gitBlobSha1(lfs ? Buffer.from(`lfs pointer ${sha256(content)}`) : content),
            size: lfs ? 134 : content.length,
            path: child,
            ...(lfs
              ? { lfs: { oid: sha256(content), size: content.length, pointerSize: 134 } }
              : {}),
          });
        }
      }
      if (children.size === 0)
        return json(res, 404, { error: `${sub} does not exist` }, 'EntryNotFound');
      return json(res, 200, [...children.values()]);
    }
    if (!api && kind === 'resolve') {
      const content = repo.files[sub];
      if (!content) return json(res, 404, { error: 'Entry not found' }, 'EntryNotFound');
      if (repo.lfs(sub)) {
        res.writeHead(302, { Location: `${cdnUrl}/${sha256(content)}?X-Amz-Signature=fake` });
        res.end();
        return;
      }
      return sendFile(req, res, content, faults.get(sub), () => faults.delete(sub));
    }
    json(res, 404, { error: 'unknown route' });
  });
  const endpoint = await listen(hub);

  return {
    endpoint,
    log,
    faults,
    close: async () => {
      hub.closeAllConnections();
      cdn.closeAllConnections();
      await Promise.all([new Promise((r) => hub.close(r)), new Promise((r) => cdn.close(r))]);
    },
  };
}
