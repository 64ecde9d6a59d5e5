// The public surface of each package: every name an entry (`@exp/x`, `@exp/x/sub`, from the
// package.json `exports`) exports, and who outside the package imports it (other packages' src,
// test and bench, apps/, tools/, the READMEs' code blocks, code held in strings such as the
// consumer tests' projects). The package's own consumer tests count as outside: they are users.
//
//   node tools/surface.mjs            totals per package and entry
//   node tools/surface.mjs --names    and every name with its users (or why it is kept)
//   node tools/surface.mjs --check    exit 1 when an entry exports a name that is not kept
//   node tools/surface.mjs --json     every entry's names, why each is kept and by whom
//
// A name is kept when something outside imports it, the package's README names it in code
// (its documented API), it is an error class (thrown by the API, caught with instanceof), or its
// type is reachable from the declaration of a kept name (a consumer must be able to name it).
// Written with the TypeScript compiler API (the repo's devDependency) so that exports are the
// checker's, not a regex's.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = new Set(process.argv.slice(2));

// --- the entries: package.json `exports` -> src files ---
const packages = readdirSync(path.join(root, 'packages'))
  .map((dir) => path.join(root, 'packages', dir))
  .filter((dir) => existsSync(path.join(dir, 'package.json')))
  .map((dir) => {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const entries = Object.entries(manifest.exports ?? { '.': { import: manifest.main } }).map(
      ([sub, target]) => {
        const js = typeof target === 'string' ? target : target.import;
        const src = path.join(dir, js.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));
        if (!existsSync(src)) throw new Error(`${manifest.name}: no source ${src} for ${sub}`);
        return { spec: sub === '.' ? manifest.name : `${manifest.name}/${sub.slice(2)}`, src };
      },
    );
    return { name: manifest.name, dir, entries };
  });
const packageOf = new Map(packages.flatMap((p) => p.entries.map((e) => [e.spec, p])));

// --- what each entry exports (the checker's view, aliases resolved) ---
const program = ts.createProgram(
  packages.flatMap((p) => p.entries.map((e) => e.src)),
  {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    resolveJsonModule: true,
    types: ['node'],
  },
);
const checker = program.getTypeChecker();
const resolve = (s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
/** resolved symbol -> the [entry, name] pairs exporting it */
const exporters = new Map();
for (const p of packages) {
  for (const e of p.entries) {
    const sf = program.getSourceFile(e.src);
    const moduleSymbol = checker.getSymbolAtLocation(sf);
    e.names = new Map();
    for (const s of checker.getExportsOfModule(moduleSymbol)) {
      const target = resolve(s);
      const info = { name: s.name, symbol: target, users: new Set(), kept: [] };
      e.names.set(s.name, info);
      if (!exporters.has(target)) exporters.set(target, []);
      exporters.get(target).push(info);
    }
  }
}

// --- who imports what: every source file, README code, code inside strings ---
const SKIP = new Set(['node_modules', 'dist', 'coverage']);
function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name) || name.startsWith('.')) continue;
    const full = path.join(dir, name);
    // a package's models cache and run folders hold no code of ours
    if (/^(models|results|checkpoints)$/.test(name) && existsSync(path.join(dir, 'package.json')))
      continue;
    if (statSync(full).isDirectory()) walk(full, out);
    else if (/\.(ts|tsx|mts|cts|mjs|js)$/.test(name) && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}
const files = [
  ...walk(path.join(root, 'packages')),
  ...walk(path.join(root, 'apps')),
  ...walk(path.join(root, 'tools')),
];

/** Who a file is: its package (then a consumer test of it counts as outside), apps/x, tools. */
function ownerOf(file) {
  const rel = path.relative(root, file).split(path.sep);
  if (rel[0] === 'packages') {
    const p = packages.find((q) => q.dir === path.join(root, 'packages', rel[1]));
    const consumer = /(^|\/)test\/consumer(\/|\.test\.ts$)/.test(rel.slice(2).join('/'));
    return { pkg: consumer ? null : p?.name, label: rel.slice(0, 3).join('/') };
  }
  if (rel[0] === 'apps') return { pkg: null, label: rel.slice(0, 3).join('/') };
  if (rel[0] === 'README.md') return { pkg: null, label: 'README.md' };
  return { pkg: null, label: rel[0] };
}

function use(spec, name, owner) {
  const p = packageOf.get(spec);
  if (!p || owner.pkg === p.name) return;
  const info = p.entries.find((e) => e.spec === spec).names.get(name);
  if (info) info.users.add(owner.label);
  else console.error(`${owner.label}: imports ${name} from ${spec}, which does not export it`);
}

function scan(text, fileName, owner) {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const namespaces = new Map(); // local name -> spec
  const visit = (node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const spec = node.moduleSpecifier.text;
      const clause = ts.isImportDeclaration(node) ? node.importClause?.namedBindings : null;
      if (clause && ts.isNamespaceImport(clause)) namespaces.set(clause.name.text, spec);
      const named = ts.isImportDeclaration(node) ? clause : node.exportClause;
      if (named && ts.isNamedImports(named))
        for (const el of named.elements) use(spec, (el.propertyName ?? el.name).text, owner);
      if (named && ts.isNamedExports(named))
        for (const el of named.elements) use(spec, (el.propertyName ?? el.name).text, owner);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const spec = node.argument.literal.text;
      if (node.qualifier)
        use(
          spec,
          ts.isIdentifier(node.qualifier) ? node.qualifier.text : node.qualifier.left.getText(),
          owner,
        );
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      ts.isStringLiteral(node.arguments[0] ?? node)
    ) {
      // const { a, b } = await import('@exp/x')
      const spec = node.arguments[0].text;
      let up = node.parent;
      if (up && ts.isAwaitExpression(up)) up = up.parent;
      if (up && ts.isVariableDeclaration(up) && ts.isObjectBindingPattern(up.name))
        for (const el of up.name.elements) use(spec, (el.propertyName ?? el.name).getText(), owner);
    } else if (
      ts.isPropertyAccessExpression(node) &&
      ts.isIdentifier(node.expression) &&
      namespaces.has(node.expression.text)
    ) {
      use(namespaces.get(node.expression.text), node.name.text, owner);
    } else if (
      (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) &&
      node.text.includes("'@exp/")
    ) {
      scan(node.text, fileName, owner);
    } else if (ts.isTemplateExpression(node) && node.getText().includes("'@exp/")) {
      const parts = [node.head.text, ...node.templateSpans.map((s) => `_${s.literal.text}`)];
      scan(parts.join(''), fileName, owner);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  // import * as ns: every property read counts (error-base reads the *Error names at run time)
  for (const [local, spec] of namespaces) {
    const p = packageOf.get(spec);
    if (!p || owner.pkg === p.name) continue;
    if (
      new RegExp(`Object\\.(entries|keys|values)\\(\\s*${local}\\b|\\b${local}\\s*[,}]`).test(text)
    ) {
      for (const info of p.entries.find((e) => e.spec === spec).names.values())
        if (/Error$/.test(info.name)) info.users.add(`${owner.label} (* as ${local})`);
    }
  }
}

for (const file of files) scan(readFileSync(file, 'utf8'), file, ownerOf(file));

// READMEs: fenced code imports; the package's own README also documents names (code spans).
const FENCE = /```(\w*)\n([\s\S]*?)```/g;
const readmes = [
  path.join(root, 'README.md'),
  ...[
    ...packages.map((p) => p.dir),
    ...readdirSync(path.join(root, 'apps')).map((a) => path.join(root, 'apps', a)),
  ].map((d) => path.join(d, 'README.md')),
].filter(existsSync);
const documented = new Map(); // package name -> Set of identifiers in its README's code
for (const readme of readmes) {
  const text = readFileSync(readme, 'utf8');
  const ownReadme = packages.find((p) => path.join(p.dir, 'README.md') === readme);
  for (const [, lang, code] of text.matchAll(FENCE)) {
    if (/^(ts|typescript|js|javascript|mjs|tsx)$/.test(lang))
      scan(code, readme + '.ts', { pkg: null, label: path.relative(root, readme) });
  }
  if (ownReadme) {
    const words = new Set();
    const code = [...text.matchAll(FENCE)].map((m) => m[2]);
    const inline = [...text.replace(FENCE, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
    for (const c of [...code, ...inline])
      for (const w of c.match(/[A-Za-z_$][\w$]*/g) ?? []) words.add(w);
    documented.set(ownReadme.name, words);
  }
}

// --- why each name is kept ---
for (const p of packages) {
  for (const e of p.entries) {
    for (const info of e.names.values()) {
      if (info.users.size) info.kept.push('used');
      if (documented.get(p.name)?.has(info.name)) info.kept.push('documented');
      if (/Error$/.test(info.name) && info.symbol.flags & ts.SymbolFlags.Class)
        info.kept.push('error');
      // every main entry's VERSION, as the others' (@exp/run's versions() reads them)
      if (info.name === 'VERSION' && e.spec === p.name) info.kept.push('version');
    }
  }
}

/** Symbols named in a declaration's signature (bodies and private members skipped). */
function referencedSymbols(decl) {
  const out = new Set();
  const add = (s) => s && out.add(resolve(s));
  const addType = (type, depth = 0) => {
    if (!type || depth > 3) return;
    add(type.aliasSymbol);
    add(type.symbol);
    for (const t of type.aliasTypeArguments ?? []) addType(t, depth + 1);
    for (const t of type.types ?? []) addType(t, depth + 1);
    if (type.flags & ts.TypeFlags.Object && type.objectFlags & ts.ObjectFlags.Reference)
      for (const t of checker.getTypeArguments(type)) addType(t, depth + 1);
  };
  const visit = (node) => {
    if (ts.isBlock(node) || (ts.isPropertyAccessExpression(node) && !ts.isTypeNode(node.parent)))
      return;
    const mods = ts.canHaveModifiers(node) ? (ts.getModifiers(node) ?? []) : [];
    if (
      mods.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword) ||
      (node.name && ts.isPrivateIdentifier(node.name))
    )
      return;
    if (
      ts.isTypeReferenceNode(node) ||
      ts.isExpressionWithTypeArguments(node) ||
      ts.isTypeQueryNode(node)
    ) {
      const name = node.typeName ?? node.exprName ?? node.expression;
      add(checker.getSymbolAtLocation(ts.isQualifiedName(name) ? name.right : name));
    }
    // inferred types: a function's return, a const's value
    if (
      (ts.isFunctionDeclaration(node) ||
        ts.isMethodDeclaration(node) ||
        ts.isArrowFunction(node)) &&
      !node.type
    ) {
      const sig = checker.getSignatureFromDeclaration(node);
      if (sig) addType(checker.getReturnTypeOfSignature(sig));
    }
    if (ts.isVariableDeclaration(node) && !node.type) {
      addType(checker.getTypeAtLocation(node.name));
      if (
        node.initializer &&
        (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))
      )
        visit(node.initializer);
      return;
    }
    ts.forEachChild(node, visit);
  };
  for (const d of decl) visit(d);
  return out;
}

// Names reachable from the declarations of kept names, through declarations in the package.
for (const p of packages) {
  const srcDir = path.join(p.dir, 'src') + path.sep;
  const all = p.entries.flatMap((e) => [...e.names.values()]);
  const seen = new Set();
  const queue = all.filter((i) => i.kept.length).map((i) => i.symbol);
  while (queue.length) {
    const s = queue.pop();
    if (seen.has(s)) continue;
    seen.add(s);
    const decls = (s.declarations ?? []).filter((d) =>
      d.getSourceFile().fileName.startsWith(srcDir),
    );
    for (const r of referencedSymbols(decls)) {
      for (const info of exporters.get(r) ?? []) {
        if (all.includes(info) && !info.kept.length) info.kept.push('signature');
      }
      if ((r.declarations ?? []).some((d) => d.getSourceFile().fileName.startsWith(srcDir)))
        queue.push(r);
    }
  }
}

// --- report ---
if (args.has('--json')) {
  const out = packages.flatMap((p) =>
    p.entries.map((e) => ({
      entry: e.spec,
      src: path.relative(root, e.src),
      names: [...e.names.values()].map((i) => ({
        name: i.name,
        kept: i.kept,
        users: [...i.users].sort(),
      })),
    })),
  );
  console.log(JSON.stringify(out, null, 2));
} else {
  report();
}

function report() {
  let failures = 0;
  const rows = [];
  for (const p of packages) {
    for (const e of p.entries) {
      const infos = [...e.names.values()].sort((a, b) => a.name.localeCompare(b.name));
      const used = infos.filter((i) => i.users.size).length;
      const unkept = infos.filter((i) => !i.kept.length);
      rows.push([e.spec, infos.length, used, unkept.length]);
      if (args.has('--names')) {
        console.log(`\n${e.spec}`);
        for (const i of infos)
          console.log(
            `  ${i.name.padEnd(34)} ${i.kept.join(',') || 'UNUSED'}${i.users.size ? `  (${[...i.users].sort().join(', ')})` : ''}`,
          );
      }
      if (args.has('--check'))
        for (const i of unkept) {
          failures++;
          console.error(
            `${e.spec}: exports ${i.name}, which nothing outside ${p.name} imports and its README does not name (import it from its src file in the package's tests, or document it)`,
          );
        }
    }
  }
  const total = rows.reduce((t, r) => [t[0] + r[1], t[1] + r[2], t[2] + r[3]], [0, 0, 0]);
  if (!args.has('--check') || args.has('--names')) {
    console.log(
      `\n${'entry'.padEnd(20)} ${'exported'.padStart(8)} ${'used outside'.padStart(13)} ${'not kept'.padStart(9)}`,
    );
    for (const [spec, n, used, unkept] of [...rows, ['total', ...total]])
      console.log(
        `${spec.padEnd(20)} ${String(n).padStart(8)} ${String(used).padStart(13)} ${String(unkept).padStart(9)}`,
      );
  }
  if (args.has('--check')) {
    if (failures)
      console.error(
        `${failures} exported name(s) nobody outside uses (node tools/surface.mjs --names)`,
      );
    else
      console.log(
        `surface: ${total[0]} exported names, each used outside, documented or in a signature`,
      );
    process.exitCode = failures ? 1 : 0;
  }
}
