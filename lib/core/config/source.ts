/**
 * Where an environment's configuration was written. A stack file states an environment as layers
 * (the shared base, then each file that derives from it); an error found when the whole is parsed
 * is reported against the file whose layer wrote the offending value.
 */

/** One layer of an environment: the values one file wrote, merged over the layers before it. */
export interface ConfigLayer {
  /** The file, relative to the repository (`stacks/prod.ts`). */
  readonly file: string;
  readonly values: unknown;
}

const layersByEnvironment = new WeakMap<object, readonly ConfigLayer[]>();

/** Records the layers an environment object was merged from, most general first. */
export function recordLayers<T extends object>(environment: T, layers: readonly ConfigLayer[]): T {
  layersByEnvironment.set(environment, layers);
  return environment;
}

/** The layers an environment object was merged from; none for one written whole (a test's fixture). */
export function layersOf(environment: unknown): readonly ConfigLayer[] {
  return typeof environment === 'object' && environment !== null ? (layersByEnvironment.get(environment) ?? []) : [];
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whether a layer writes the value at `path` (an array or scalar it writes owns everything below it). */
function writes(values: unknown, path: readonly (string | number)[]): boolean {
  let node = values;
  for (const key of path) {
    // merge() replaces arrays and scalars whole: the layer that wrote one wrote all of it.
    if (!isPlain(node)) return true;
    if (!(String(key) in node)) return false;
    node = node[String(key)];
  }
  return true;
}

/**
 * The file a configuration problem at `path` comes from: the last layer that writes that value, or
 * (a value nobody wrote: a missing field, a default) the environment's own file.
 */
export function sourceOf(layers: readonly ConfigLayer[], path: readonly (string | number)[]): string | undefined {
  for (let i = layers.length - 1; i >= 0; i--) if (writes(layers[i].values, path)) return layers[i].file;
  return layers.at(-1)?.file;
}

/** The file of the code that called `fn` (from V8's structured stack trace), or undefined. */
export function callerFile(fn: (...args: never[]) => unknown): string | undefined {
  const previous = Error.prepareStackTrace;
  try {
    Error.prepareStackTrace = (_error, frames) => frames;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, fn);
    const frames = holder.stack as NodeJS.CallSite[] | undefined;
    const name = frames?.[0]?.getFileName() ?? undefined;
    return name?.startsWith('file://') ? new URL(name).pathname : name;
  } finally {
    Error.prepareStackTrace = previous;
  }
}
