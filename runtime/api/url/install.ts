// Puts the URL area's interfaces on the global.
import { exposeInterface } from '../globals.ts';
import { URL, URLPattern, URLSearchParams } from './index.ts';

export function install(): void {
  exposeInterface('URL', URL);
  exposeInterface('URLSearchParams', URLSearchParams);
  exposeInterface('URLPattern', URLPattern);
}
