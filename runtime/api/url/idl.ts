// Small WebIDL helpers for the URL area's interfaces.
import { StringPrototypeToWellFormed, TypeError } from '../intrinsics.ts';

/** WebIDL USVString conversion: ToString (throws on symbols), lone surrogates become U+FFFD. */
export function toUSVString(v: unknown): string {
  return StringPrototypeToWellFormed(typeof v === 'string' ? v : `${v as string}`);
}

/** TypeError for a call with fewer than `required` arguments. */
export function requireArgs(count: number, required: number, where: string): void {
  if (count < required) {
    throw new TypeError(`${where}: ${required} argument${required > 1 ? 's' : ''} required, but only ${count} present.`);
  }
}

export { brandCheck, finishInterface } from '../webidl/interface.ts';
