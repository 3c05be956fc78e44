// `navigator` (ECMA-429 requires only `navigator.userAgent`) and `self`.
import { exposeAttribute, exposeInterface } from '../globals.ts';
import { ObjectCreate, TypeError, globalThisRef } from '../intrinsics.ts';
import { finishInterface } from '../webidl/interface.ts';

export const USER_AGENT = 'Isle';

let navigatorSingleton: Navigator;

export class Navigator {
  constructor() {
    throw new TypeError('Illegal constructor');
  }
  get userAgent(): string {
    if (this !== navigatorSingleton) throw new TypeError('Illegal invocation');
    return USER_AGENT;
  }
}
finishInterface(Navigator, 'Navigator');

export function install(): void {
  navigatorSingleton = ObjectCreate(Navigator.prototype) as Navigator;
  exposeInterface('Navigator', Navigator);
  exposeAttribute('navigator', () => navigatorSingleton);
  exposeAttribute('self', () => globalThisRef);
}
