/** One problem found while building or checking an environment, with the construct it comes from. */
export interface SynthIssue {
  /** Construct path, e.g. `ToolHive/Servers/fetch/Resource`; '' when it concerns the whole environment. */
  readonly path: string;
  readonly message: string;
}

/** Every problem of a synth, reported together. Nothing is written when this is thrown. */
export class SynthError extends Error {
  constructor(readonly issues: readonly SynthIssue[]) {
    super(`synth failed with ${issues.length} problem(s):\n${issues.map((i) => `  - ${i.path ? `[${i.path}] ` : ''}${i.message}`).join('\n')}`);
    this.name = 'SynthError';
  }
}

/** The issues of a data file that did not parse, each as `path.in[2].file: message` (JSON files: charts.lock.json, images.pins.json). */
export function dataFileIssues(issues: ReadonlyArray<{ readonly path: ReadonlyArray<string | number>; readonly message: string }>): string[] {
  return issues.map((i) => `${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '')}: ${i.message}`);
}
