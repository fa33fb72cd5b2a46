// Section `pillar` (issue 13): pillar compile time per minion on the master,
// for a top file with 20 SLS files (Jinja over grains, an include, patterns).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '@tsalt/core';
import { masterConfig } from '@tsalt/config';
import { PillarCompiler, pillarOptions } from '@tsalt/pillar';
import { pct } from './measure.mjs';
import { row } from './rows.mjs';

const SLS_FILES = 20;

/** A pillar tree: top.sls naming 20 SLS files, by glob, grain and compound. */
function writeTree(dir) {
  const top = ['base:', "  '*':"];
  for (let i = 0; i < SLS_FILES; i++) {
    if (i === 10) top.push("  'os:Debian':", '    - match: grain');
    if (i === 15) top.push("  'G@role:web and minion-*':");
    top.push(`    - app.s${i}`);
    const include = i > 0 && i % 5 === 0 ? `include:\n  - .s${i - 1}\n` : '';
    fs.mkdirSync(path.join(dir, 'app'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'app', `s${i}.sls`),
      `${include}app:\n  s${i}:\n    id: {{ grains['id'] }}\n    os: {{ grains.os | lower }}\n` +
        `{% for n in range(5) %}\n    key${i}_{{ n }}: {{ 'value-%d-%d' % (n, ${i}) }}\n{% endfor %}\n`,
    );
  }
  fs.writeFileSync(path.join(dir, 'top.sls'), `${top.join('\n')}\n`);
}

export async function pillarSection() {
  const runs = Number(process.env.BENCH_PILLAR_RUNS ?? 200);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-bench-pillar-'));
  try {
    writeTree(dir);
    const compiler = new PillarCompiler(pillarOptions(masterConfig({ pillar_roots: { base: [dir] } })), silentLogger());
    const grains = (i) => ({ os: 'Debian', role: 'web', num_cpus: 2, ipv4: [`10.0.${i >> 8}.${i & 255}`] });
    // The first compile reads and compiles the templates; later ones reuse them, as a running master does.
    const t0 = process.hrtime.bigint();
    const first = await compiler.compile({ id: 'minion-0', grains: grains(0) });
    const cold = Number(process.hrtime.bigint() - t0) / 1e6;
    const keys = Object.keys(first.app ?? {}).length;
    if (keys !== SLS_FILES || first._errors)
      throw new Error(`pillar bench tree compiled wrong: ${JSON.stringify(first)}`);
    const times = [];
    for (let i = 1; i <= runs; i++) {
      const t = process.hrtime.bigint();
      await compiler.compile({ id: `minion-${i}`, grains: grains(i) });
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const fmt = `p50 ${pct(times, 50).toFixed(1)} ms, p95 ${pct(times, 95).toFixed(1)} ms`;
    console.log(
      `pillar: ${runs} compiles of ${SLS_FILES} SLS files: ${fmt}; first (templates compiled) ${cold.toFixed(1)} ms`,
    );
    return [
      row('pillar', `pillar compile per minion, top with ${SLS_FILES} SLS files (${runs} minions)`, fmt),
      row('pillar', 'pillar compile, first minion (templates read and compiled)', `${cold.toFixed(0)} ms`),
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
