import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { Metrics } from '../../electron/observability/metrics.ts';

describe('the Grafana dashboard in docs/', () => {
  it('has speed, active tasks and error rate panels that query metrics Braid exports', async () => {
    const dashboard = JSON.parse(
      await readFile(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8'),
    ) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    const titles = dashboard.panels.map((p) => p.title);
    for (const wanted of [/speed/i, /active tasks/i, /error rate/i]) {
      assert.ok(
        titles.some((t) => wanted.test(t)),
        `no panel matching ${wanted}`,
      );
    }
    const exported = (await new Metrics(() => []).registry.getMetricsAsJSON()).map((m) => m.name);
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        const names = target.expr.match(/braid_[a-z_]+/g) ?? [];
        assert.ok(names.length > 0, `${panel.title}: no Braid metric`);
        for (const name of names) {
          const base = name.replace(/_(bucket|sum|count)$/, '');
          assert.ok(exported.includes(base), `${panel.title}: ${name} is not exported`);
        }
      }
    }
  });
});
