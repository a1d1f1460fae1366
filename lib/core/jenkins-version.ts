/**
 * Jenkins core versions (`2.528.1` for an LTS line, `2.541` for a weekly release), read from a
 * controller image tag and ordered, so that the configuration can refuse a plugin whose release
 * needs a newer core than the controller runs: the chart's plugin installer (`jenkins-plugin-cli`)
 * stops on such a plugin and the controller pod never leaves Init.
 */
import { Image, ImageReferenceError } from './image';

/** `2.528` or `2.528.1`: the spelling of a core version in Jenkins tags and plugin poms. */
export const JENKINS_VERSION = /^\d+\.\d+(\.\d+)?$/;

/**
 * The official images are tagged `<core>[-<variant>]`: `2.528.1-jdk21`, `2.528.1`,
 * `2.528.1-alpine-jdk21`. Tags such as `lts-jdk21` or `latest` name no version.
 */
const VERSION_TAG = /^(\d+\.\d+(?:\.\d+)?)(?:-[\w.-]+)?$/;

/** The Jenkins core version an image's tag names, or undefined when the tag names none (or there is no tag). */
export function jenkinsVersionOfImage(reference: string): string | undefined {
  let tag: string | undefined;
  try {
    tag = Image.parse(reference).tag;
  } catch (e) {
    if (e instanceof ImageReferenceError) return undefined;
    throw e;
  }
  return tag === undefined ? undefined : VERSION_TAG.exec(tag)?.[1];
}

/**
 * Orders two core versions component by component, a missing component counting as 0, as Jenkins'
 * own `VersionNumber` does: 2.528 (weekly) < 2.528.1 (its LTS) < 2.529. Negative when `a` is older.
 */
export function compareJenkinsVersions(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
