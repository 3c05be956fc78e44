import { exposeInterface } from '../globals.ts';
import { DOMException } from './dom-exception.ts';

export function install(): void {
  exposeInterface('DOMException', DOMException);
}
