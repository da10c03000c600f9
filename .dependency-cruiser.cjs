/**
 * kpid's layering, checked on every `npm test` (src/layering.test.ts).
 *
 * The pipeline stages, in the order a sample travels:
 *   config → targets → scheduler → collectors → pipeline → {store, rules, metrics} → alerts → notify
 * A stage imports core/ and the stages before it, never one after it, and
 * never a peer (store, rules and metrics are peers) except through core/.
 * One exception: a collector owns the schema of its config section
 * (collectors/<name>/<name>-config.ts) and config/ composes those schemas;
 * such a file imports only core/ and config/'s schema helpers.
 * Config is mapped once, at each stage's edge: the stages that do (see
 * EDGE_MAPPED) import config/ only from their *-options.ts, and each
 * collector reads its *-config.ts only from its *-options.ts.
 * Beside the pipeline: http, report, cluster, demo and daemon (the
 * composition root); no stage imports them, and http imports no stage: each
 * stage offers its routes through core/route.ts. Only the CLI and the demo start
 * kpid, through daemon/start-kpid.ts.
 */
const STAGES = ['config', 'targets', 'scheduler', 'collectors', 'pipeline', ['store', 'rules', 'metrics'], 'alerts', 'notify'];
const BESIDE = ['http', 'report', 'cluster', 'demo', 'daemon'];
const notTest = '\\.test\\.ts$';
/** A collector's section schema, which config/ composes. */
const collectorConfig = '^src/collectors/[^/]+/[^/]+-config\\.ts$';
/** Stages whose running code reads typed options only: their *-options.ts maps the YAML section. */
const EDGE_MAPPED = ['notify', 'store', 'pipeline', 'scheduler', 'metrics', 'alerts', 'cluster', 'targets'];


const dir = (names) => `^src/(${names.join('|')})/`;

/** For each stage: everything after it, and its peers, are off limits. */
const stageRules = STAGES.flatMap((level, i) => {
  const mine = [].concat(level);
  const later = STAGES.slice(i + 1).flat();
  return mine.map((stage) => {
    const peers = mine.filter((s) => s !== stage);
    return {
      name: `${stage}-imports-only-earlier-stages`,
      comment: `${stage}/ may import core/ and the stages before it: not ${[...later, ...peers, ...BESIDE].join(', ')}`,
      severity: 'error',
      from: { path: `^src/${stage}/`, pathNot: notTest },
      to: { path: dir([...later, ...peers, ...BESIDE]), ...(stage === 'config' ? { pathNot: collectorConfig } : {}) },
    };
  });
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Modules form no import cycle, type-only ones included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'src-never-imports-test',
      comment: 'What src/ needs lives in src/; test/ holds tests that run the daemon or a real service.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
    {
      name: 'core-imports-only-core',
      comment: 'core/ is what every stage may import, so it imports no stage.',
      severity: 'error',
      from: { path: '^src/core/', pathNot: notTest },
      to: { path: '^src/(?!core/)' },
    },
    ...stageRules,
    {
      name: 'collector-config-imports-only-schema-helpers',
      comment: 'A collector config schema is composed by config/: it imports core/, config/ helpers and other collector schemas, nothing that runs.',
      severity: 'error',
      from: { path: collectorConfig },
      to: { path: '^src/', pathNot: ['^src/core/', '^src/config/(duration-schema|probe-name)\\.ts$', collectorConfig] },
    },
    {
      name: 'config-mapped-at-the-edge',
      comment: `${EDGE_MAPPED.join(', ')} read typed options; only their *-options.ts knows the YAML section (config/).`,
      severity: 'error',
      from: { path: dir(EDGE_MAPPED), pathNot: [notTest, '/testing\\.ts$', '-options\\.ts$'] },
      to: { path: '^src/config/' },
    },
    {
      name: 'collector-config-mapped-at-the-edge',
      comment: 'Collectors read typed options; only a collector\'s *-options.ts knows its section (its *-config.ts, config/).',
      severity: 'error',
      from: { path: '^src/collectors/', pathNot: [notTest, '/testing\\.ts$', '-options\\.ts$', '-config\\.ts$'] },
      to: { path: ['^src/config/', collectorConfig] },
    },
    {
      name: 'http-imports-no-stage',
      comment: 'The server serves the routes the stages offer (core/route.ts); it knows no stage.',
      severity: 'error',
      from: { path: '^src/http/', pathNot: notTest },
      to: { path: '^src/(?!core/|http/)' },
    },
    {
      name: 'only-the-entry-builds-the-daemon',
      comment: 'The composition root is reached through daemon/start-kpid.ts, by the CLI and the demo alike.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/daemon/' },
      to: { path: '^src/daemon/(?!start-kpid\\.ts$)' },
    },
    {
      name: 'only-cli-and-demo-start-kpid',
      comment: 'Starting kpid is for the CLI and the demo.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(cli\\.ts$|demo/|daemon/)' },
      to: { path: '^src/daemon/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.d.ts', '.js', '.mjs'] },
  },
};
