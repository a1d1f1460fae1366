/**
 * Images an upstream chart runs that the environment does not lock: no value Kompile sets names
 * them, so they are neither listed to mirror nor relocated. The synth (for the charts it renders) and
 * `kompile validate` (for the charts it renders from a tree) both run this.
 */
import { Image } from '../core/image';
import { findContainerImages } from '../core/images-walk';

/** A container image of a rendered object that is not a target of the image lock. */
export interface UnlockedImage {
  readonly pointer: string;
  readonly image: string;
  readonly message: string;
}

/** Every container image of `obj` that is not among `lockTargets` (references compared canonically). */
export function unlockedImages(obj: unknown, lockTargets: ReadonlySet<string>, chart: string): UnlockedImage[] {
  const out: UnlockedImage[] = [];
  for (const found of findContainerImages(obj)) {
    let ref: string;
    try {
      ref = Image.parse(found.value).toString();
    } catch (e) {
      out.push({ pointer: found.pointer, image: found.value, message: (e as Error).message });
      continue;
    }
    if (!lockTargets.has(ref)) {
      out.push({
        pointer: found.pointer,
        image: found.value,
        message: `chart '${chart}' runs image '${found.value}', which no value Kompile sets names: it is neither mirrored (images.lock.json) nor relocated; declare the value that sets it among the chart's images`,
      });
    }
  }
  return out;
}
