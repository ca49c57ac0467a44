/**
 * @module test/essence
 * What must agree when one crash is read two ways (a dump and its console log, a fixture and
 * its original): kind, title and culprit.
 */
export const essence = (r: {
  kind: string;
  title: string;
  culprit?: { symbol: string; module: string | null };
}) => ({
  kind: r.kind,
  title: r.title,
  culprit: r.culprit ? `${r.culprit.symbol} [${r.culprit.module}]` : undefined,
});
